"""Injury hazard and training exposure: a Cox model in counting-process form.

:func:`injury_hazard` answers the article's second question honestly: does the hip-flexor
work of the weeks before (or the flexor : extensor balance) relate to the hazard of an
injury, each athlete compared with themselves? It fits an Andersen–Gill Cox model with a
time-varying covariate and recurrent events, errors clustered by athlete, and says plainly
when there are too few injuries to estimate anything.

:func:`cox_fit` is the model itself: Newton–Raphson on the partial likelihood with Efron
(R's default) or Breslow ties, for ``(start, stop]`` rows, with the robust (sandwich)
variance clustered like R's ``coxph(... , cluster = id)``. It is pinned in
``tests/test_injury_stats.py`` to the saved outputs of R survival's own test suite.

Why our own fitter (about 120 lines of numpy) rather than a library: lifelines'
``CoxTimeVaryingFitter`` has no clustered (robust) errors, and its ``CoxPHFitter`` with
entry and cluster columns gave standard errors that differ from R's; statsmodels'
``PHReg`` treats entry times as inclusive, so contiguous ``(t-1, t]`` day rows are counted
twice in a risk set. The partial likelihood, its Efron tie correction and the score
residuals behind the sandwich are short, exact formulas (Therneau & Grambsch 2000,
ch. 3 and 7); written out they are vectorised over event times, need no new dependency,
and match R to the printed digits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._lazy import lazy_module
from .errors import DataError

st = lazy_module("scipy.stats")

__all__ = [
    "MIN_ATHLETES",
    "MIN_EVENTS",
    "MIN_EVENT_ATHLETES",
    "CoxFit",
    "InjuryHazard",
    "cox_fit",
    "exposure_panel",
    "injury_hazard",
]

#: The "too few events" rule of :func:`injury_hazard` (see its Notes): at least this many
#: injuries while at risk ...
MIN_EVENTS = 10
#: ... in at least this many different athletes ...
MIN_EVENT_ATHLETES = 4
#: ... out of at least this many athletes with time at risk.
MIN_ATHLETES = 5

PER = 100.0  # the hazard ratio is per 100 units of exposure
MAX_LOG_HR = 5.0  # the score interval is searched within log HR ± 5 of the estimate


# --------------------------------------------------------------------------- Cox model


@dataclass(frozen=True)
class CoxFit:
    """A fitted Cox model (see :func:`cox_fit`).

    ``se`` is the model-based standard error (inverse information, R's ``se(coef)``),
    ``robust_se`` the sandwich one (R's ``robust se`` with ``cluster = id``; without a
    cluster each row is its own cluster, R's ``robust = TRUE``). ``scores`` holds the
    clusters' summed score residuals (G × p), ``var`` / ``robust_var`` the covariances;
    ``jackknife_var`` the leave-one-cluster-out jackknife covariance, each cluster's
    removal approximated by one Newton step with its own share of the information taken
    out (the CR3 idea of Bell & McCaffrey 2002; more conservative than the sandwich when
    a few clusters carry most events).
    """

    coef: np.ndarray
    se: np.ndarray
    robust_se: np.ndarray
    var: np.ndarray
    robust_var: np.ndarray
    jackknife_var: np.ndarray
    scores: np.ndarray
    cluster_info: np.ndarray
    loglik: float
    loglik_null: float
    n: int
    n_events: int
    n_clusters: int
    n_iter: int
    converged: bool
    ties: str


def _as_matrix(X: Any) -> np.ndarray:
    a = np.asarray(X, dtype="float64")
    return a.reshape(-1, 1) if a.ndim == 1 else a


def _terms(
    beta: np.ndarray,
    X: np.ndarray,
    A: np.ndarray,
    E: np.ndarray,
    kk: np.ndarray,
    f: np.ndarray,
    is_event: np.ndarray,
    offset: np.ndarray | float = 0.0,
) -> tuple[float, np.ndarray, np.ndarray, dict]:
    """Partial log-likelihood, score and information at ``beta``.

    ``A`` (n × K) marks the rows at risk at each event time, ``E`` the rows with an event
    there; the L = Σ d_k pairs (k, l) of the Efron sum are ``kk`` (the event time) and ``f``
    (l / d_k, or 0 for Breslow).
    """
    n, p = X.shape
    eta = X @ beta + offset
    r = np.exp(eta)
    rX = r[:, None] * X
    rXX = (rX[:, :, None] * X[:, None, :]).reshape(n, p * p)
    S0, S1, S2 = A.T @ r, A.T @ rX, (A.T @ rXX).reshape(-1, p, p)
    D0, D1, D2 = E.T @ r, E.T @ rX, (E.T @ rXX).reshape(-1, p, p)
    s0 = S0[kk] - f * D0[kk]
    s1 = S1[kk] - f[:, None] * D1[kk]
    s2 = S2[kk] - f[:, None, None] * D2[kk]
    xbar = s1 / s0[:, None]
    loglik = float(eta[is_event].sum() - np.log(s0).sum())
    grad = X[is_event].sum(axis=0) - xbar.sum(axis=0)
    info = (s2 / s0[:, None, None]).sum(axis=0) - xbar.T @ xbar
    return loglik, grad, info, {"r": r, "s0": s0, "xbar": xbar}


def _score_residuals(
    X: np.ndarray,
    A: np.ndarray,
    E: np.ndarray,
    kk: np.ndarray,
    f: np.ndarray,
    parts: dict,
) -> tuple[np.ndarray, np.ndarray]:
    """Score residuals (n × p) of R's ``residuals(fit, "score")`` for counting-process
    rows, Efron or Breslow: a row's events minus its share of each risk set's expected
    covariate; under Efron a row with an event at t_k is in the l-th partial risk set
    with weight 1 − l/d_k. They sum to the score, zero at the maximum. Also each row's
    share of the information (n × p × p; they sum to it)."""
    K = A.shape[1]
    r, s0, xbar = parts["r"], parts["s0"], parts["xbar"]
    p = X.shape[1]
    h = 1.0 / s0
    hx = xbar * h[:, None]
    w = 1.0 - f

    def by_k(v: np.ndarray) -> np.ndarray:
        if v.ndim == 1:
            return np.bincount(kk, weights=v, minlength=K)
        return np.column_stack(
            [np.bincount(kk, weights=v[:, j], minlength=K) for j in range(v.shape[1])]
        )

    d = np.bincount(kk, minlength=K).astype("float64")
    H, HX = by_k(h), by_k(hx)
    Hd, HXd = by_k(w * h), by_k(w[:, None] * hx)
    xbar_mean = by_k(xbar) / d[:, None]
    N = A - E
    e = np.asarray(E.sum(axis=1)).ravel()
    term_h = N @ H + E @ Hd
    term_hx = N @ HX + E @ HXd
    resid = X * e[:, None] - E @ xbar_mean - r[:, None] * (X * term_h[:, None] - term_hx)
    # each row's share of the information: Σ_k Σ_l w h r (x − x̄_kl)(x − x̄_kl)'
    hxx = (h[:, None, None] * xbar[:, :, None] * xbar[:, None, :]).reshape(len(h), p * p)
    HXX, HXXd = by_k(hxx), by_k(w[:, None] * hxx)
    term_hxx = (N @ HXX + E @ HXXd).reshape(-1, p, p)
    xx = X[:, :, None] * X[:, None, :]
    xhx = X[:, :, None] * term_hx[:, None, :]
    share = r[:, None, None] * (
        xx * term_h[:, None, None] - xhx - xhx.transpose(0, 2, 1) + term_hxx
    )
    return resid, share


def _risk_sets(
    start: np.ndarray, stop: np.ndarray, is_event: np.ndarray, times: np.ndarray
) -> tuple[Any, Any]:
    """Sparse n × K indicators: row i at risk at event time t_k (start < t_k ≤ stop), and
    row i's event at t_k. Day rows are at risk at one time each, so this stays O(rows)."""
    from scipy import sparse

    n, K = len(start), len(times)
    lo = np.searchsorted(times, start, side="right")
    hi = np.searchsorted(times, stop, side="right")
    count = np.maximum(hi - lo, 0)
    rows = np.repeat(np.arange(n), count)
    cols = (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + np.repeat(lo, count)
    )
    A = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, K))
    k_of = np.searchsorted(times, stop)
    hit = np.flatnonzero(is_event)
    E = sparse.csr_matrix((np.ones(len(hit)), (hit, k_of[hit])), shape=(n, K))
    return A, E


def cox_fit(
    start: Any,
    stop: Any,
    event: Any,
    X: Any,
    *,
    cluster: Any = None,
    ties: Literal["efron", "breslow"] = "efron",
    max_iter: int = 30,
    eps: float = 1e-9,
    init: Any = None,
    offset: Any = None,
) -> CoxFit:
    """Cox proportional-hazards model for ``(start, stop]`` rows (Andersen–Gill form).

    Parameters
    ----------
    start, stop : array-like
        Each row's interval at risk, open at ``start`` and closed at ``stop``: a row is in
        the risk set of an event time t when start < t ≤ stop (so contiguous day rows
        ``(t−1, t]`` are each counted once, as in R's ``Surv(start, stop, event)``).
    event : array-like
        1 when the row ends in an event at ``stop`` (recurrent events: a subject may have
        several), else 0.
    X : array-like
        Covariates, n × p (or a vector for one covariate).
    cluster : array-like, optional
        Subject (or other cluster) of each row for the robust variance (R's
        ``cluster = id``); without it each row is its own cluster.
    ties : {"efron", "breslow"}, default "efron"
        Approximation for tied event times; Efron is R's default.
    max_iter, eps : int, float
        Newton–Raphson stops when the relative change of the log-likelihood is below
        ``eps`` (R's ``coxph.control`` default 1e-9), or after ``max_iter`` steps.
    init : array-like, optional
        Starting coefficients (default 0); with ``max_iter=0`` the fit is evaluated at
        ``init`` (R's ``init=, iter=0``), e.g. for a score test.
    offset : array-like, optional
        A known term added to each row's linear predictor (R's ``offset()``).

    Returns
    -------
    CoxFit
        Coefficients (log hazard ratios), model-based and robust standard errors, the
        clusters' score sums, log-likelihoods at the fit and at β = 0, counts.

    Notes
    -----
    Partial likelihood with Efron's tie correction: at an event time t_k with d_k tied
    events D_k and risk set R_k,

        ℓ(β) = Σ_k [ Σ_{i∈D_k} x_i'β − Σ_{l=0}^{d_k−1} log( Σ_{R_k} e^{x'β} − (l/d_k) Σ_{D_k} e^{x'β} ) ],

    (Breslow: l/d_k replaced by 0), maximised by Newton–Raphson from β = 0 with step
    halving. Model-based variance V = I(β̂)⁻¹. Robust variance (Lin & Wei 1989): with U_i
    the score residuals of the rows and U_g their sums per cluster, V_rob = V (Σ_g U_g U_g')
    V — the "working independence" sandwich R reports as ``robust se``.

    References
    ----------
    Andersen PK, Gill RD (1982). Cox's regression model for counting processes: a large
    sample study. Ann Stat 10:1100–1120.
    Efron B (1977). The efficiency of Cox's likelihood function for censored data. JASA
    72:557–565.
    Lin DY, Wei LJ (1989). The robust inference for the Cox proportional hazards model.
    JASA 84:1074–1078.
    Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox Model.
    Springer, ch. 3, 7 and 8.

    Examples
    --------
    >>> fit = cox_fit([0, 0, 0, 0], [1, 2, 3, 4], [1, 0, 1, 1], [1.0, 0.0, 1.0, 0.0])
    >>> fit.n_events
    3
    """
    start = np.asarray(start, dtype="float64")
    stop = np.asarray(stop, dtype="float64")
    ev = np.asarray(event, dtype="float64")
    Xm = _as_matrix(X)
    n, p = Xm.shape
    if not (len(start) == len(stop) == len(ev) == n):
        raise ValueError("start, stop, event and X must have the same number of rows")
    if ties not in ("efron", "breslow"):
        raise ValueError(f"ties must be 'efron' or 'breslow', not {ties!r}")
    if np.any(stop <= start):
        raise ValueError("every row needs start < stop")
    is_event = ev > 0
    times = np.unique(stop[is_event])
    A, E = _risk_sets(start, stop, is_event, times)
    d = np.asarray(E.sum(axis=0)).ravel().astype("int64")
    kk = np.repeat(np.arange(len(times)), d)
    ll = np.arange(len(kk)) - np.repeat(np.cumsum(d) - d, d)
    f = ll / d[kk] if ties == "efron" else np.zeros(len(kk))
    Xc = Xm - Xm.mean(axis=0)  # centring changes neither β nor the residuals
    off = 0.0 if offset is None else np.asarray(offset, dtype="float64")
    if offset is not None:
        off = off - off.mean()

    beta = np.zeros(p)
    loglik_null = _terms(beta, Xc, A, E, kk, f, is_event, off)[0]
    if init is not None:
        beta = np.asarray(init, dtype="float64").reshape(p)
    loglik, grad, info, parts = _terms(beta, Xc, A, E, kk, f, is_event, off)
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            break
        new = beta + step
        new_ll, new_grad, new_info, new_parts = _terms(new, Xc, A, E, kk, f, is_event, off)
        halvings = 0
        while (not np.isfinite(new_ll) or new_ll < loglik - 1e-12) and halvings < 30:
            step = step / 2
            new = beta + step
            new_ll, new_grad, new_info, new_parts = _terms(new, Xc, A, E, kk, f, is_event, off)
            halvings += 1
        done = abs(1 - loglik / new_ll) <= eps if new_ll != 0 else True
        beta, loglik, grad, info, parts = new, new_ll, new_grad, new_info, new_parts
        if done:
            converged = True
            break
    try:
        var = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        var = np.full((p, p), np.nan)
    resid, share = _score_residuals(Xc, A, E, kk, f, parts)
    if cluster is None:
        codes = np.arange(n)
    else:
        codes = pd.factorize(pd.Series(np.asarray(cluster)), use_na_sentinel=False)[0]
    G = int(codes.max()) + 1 if n else 0
    scores = np.column_stack(
        [np.bincount(codes, weights=resid[:, j], minlength=G) for j in range(p)]
    )
    robust_var = var @ (scores.T @ scores) @ var
    # leave-one-cluster-out (jackknife) by one Newton step from β̂ without the cluster:
    # δ_g = (I − I_g)⁻¹ U_g, I_g the cluster's share of the information
    shares = np.zeros((G, p, p))
    np.add.at(shares, codes, share)
    jack_var = np.full((p, p), np.nan)
    if G > 1 and np.all(np.isfinite(var)):
        delta = np.stack([np.linalg.pinv(info - shares[g]) @ scores[g] for g in range(G)])
        centred = delta - delta.mean(axis=0)
        jack_var = (G - 1) / G * centred.T @ centred
    return CoxFit(
        coef=beta,
        se=np.sqrt(np.diag(var)),
        robust_se=np.sqrt(np.diag(robust_var)),
        var=var,
        robust_var=robust_var,
        jackknife_var=jack_var,
        scores=scores,
        cluster_info=shares,
        loglik=loglik,
        loglik_null=loglik_null,
        n=n,
        n_events=int(is_event.sum()),
        n_clusters=G,
        n_iter=n_iter,
        converged=converged,
        ties=ties,
    )


# --------------------------------------------------------------------------- exposure


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"the {what} lacks column {missing[0]!r}", file=what, column=missing[0])


def _entry_reps(log: pd.DataFrame) -> pd.Series:
    """Repetitions of each log entry: sets × reps, doubled when logged per leg; the
    entry's ``hf_reps`` where sets or reps are not given (distance or timed work)."""
    sets = pd.to_numeric(log.get("sets"), errors="coerce") if "sets" in log else None
    reps = pd.to_numeric(log.get("reps"), errors="coerce") if "reps" in log else None
    hf = pd.to_numeric(log["hf_reps"], errors="coerce").astype("float64")
    if sets is None or reps is None:
        return hf.fillna(0.0)
    legs = 1.0
    if "per_leg" in log:
        legs = np.where(log["per_leg"].astype("boolean").fillna(False).to_numpy(bool), 2.0, 1.0)
    work = (sets.astype("float64") * reps.astype("float64") * legs).astype("float64")
    return work.fillna(hf).fillna(0.0)


@dataclass(frozen=True)
class _Daily:
    """Each athlete's daily sums (G × T arrays) from the squad's first log date."""

    athletes: np.ndarray
    day0: pd.Timestamp
    series: tuple[np.ndarray, ...]  # (exposure,) or (flexor reps, extensor reps)
    first: np.ndarray  # first and last log day of each athlete
    last: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.series[0].shape

    def observed(self) -> np.ndarray:
        t = np.arange(self.shape[1])[None, :]
        return (t >= self.first[:, None]) & (t <= self.last[:, None])


def _daily(log: pd.DataFrame, exposure: str) -> _Daily | None:
    need = ["athlete_id", "date"] + (["family", "hf_reps"] if exposure == "balance" else [exposure])
    _require(log, need, "training log")
    dates = pd.to_datetime(log["date"], errors="coerce")
    ok = (dates.notna() & log["athlete_id"].notna()).to_numpy(bool)
    if not ok.any():
        return None
    sub = log.loc[ok]
    day0 = dates[ok].min().normalize()
    day = ((dates[ok].dt.normalize() - day0).dt.days).to_numpy("int64")
    codes, athletes = pd.factorize(sub["athlete_id"].astype("string"), sort=True)
    G, T = len(athletes), int(day.max()) + 1
    if exposure == "balance":
        family = sub["family"].astype("string").fillna("").to_numpy(object)
        hf = pd.to_numeric(sub["hf_reps"], errors="coerce").astype("float64").to_numpy()
        flex = np.where(family == "hip_flexor", hf, 0.0)
        ext = np.where(family == "hip_extensor", _entry_reps(sub).to_numpy("float64"), 0.0)
        values = [flex, ext]
    else:
        values = [pd.to_numeric(sub[exposure], errors="coerce").astype("float64").to_numpy()]
    series = []
    for v in values:
        daily = np.zeros((G, T))
        np.add.at(daily, (codes, day), np.nan_to_num(v))
        series.append(daily)
    first = np.full(G, T)
    last = np.full(G, -1)
    np.minimum.at(first, codes, day)
    np.maximum.at(last, codes, day)
    return _Daily(np.asarray(athletes, dtype=object), day0, tuple(series), first, last)


def _trailing(
    d: _Daily, window_days: int, available: np.ndarray, balance: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Exposure over the ``window_days`` days before each day (G × T) and the number of
    those days the athlete was available. A sum is scaled to the whole window
    (sum × W / available days): days out injured are not days without work."""
    G, T = d.shape
    t = np.arange(T)
    lo = np.clip(t - window_days, 0, None)

    def window_sum(a: np.ndarray) -> np.ndarray:
        cum = np.concatenate([np.zeros((G, 1)), np.cumsum(a, axis=1)], axis=1)
        return cum[:, t] - cum[:, lo]  # days t-W .. t-1

    n_avail = window_sum(available.astype("float64"))
    sums = [window_sum(np.where(available, s, 0.0)) for s in d.series]
    with np.errstate(divide="ignore", invalid="ignore"):
        if balance:
            x = np.where(sums[1] > 0, 100.0 * sums[0] / sums[1], np.nan)
        else:
            x = np.where(n_avail > 0, sums[0] * window_days / n_avail, np.nan)
    return x, n_avail


def exposure_panel(
    log: pd.DataFrame,
    *,
    exposure: str = "hf_reps",
    window_days: int = 28,
) -> pd.DataFrame:
    """Each athlete's trailing-window exposure on every day of their observed period.

    Parameters
    ----------
    log : DataFrame
        The clean training log (``athlete_id, date, family, hf_reps``, … — docs/architecture.md).
    exposure : str, default "hf_reps"
        ``"balance"`` (hip-flexor reps per 100 hip-extensor reps in the window), or a
        numeric log column summed per day (``hf_reps``, ``hf_load_kg``).
    window_days : int, default 28
        The window: the ``window_days`` days before the day (the day itself excluded, as
        in :func:`analysis.race_features`).

    Returns
    -------
    DataFrame
        One row per athlete and day from the athlete's first to last log date (the
        observed period): ``athlete_id, date, day`` (days since the squad's first log
        date), ``full_window`` (the window lies wholly inside the observed period) and
        ``exposure`` (NaN for ``"balance"`` when the window holds no hip-extensor work).
        Days without a log entry inside the observed period count as days without that
        work (0); a window reaching before the first log date is scaled up from the days
        it has.
    """
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    d = _daily(log, exposure)
    if d is None:
        return pd.DataFrame(
            {
                "athlete_id": pd.Series([], dtype="string"),
                "date": pd.Series([], dtype="datetime64[ns]"),
                "day": pd.Series([], dtype="int64"),
                "full_window": pd.Series([], dtype="bool"),
                "exposure": pd.Series([], dtype="float64"),
            }
        )
    observed = d.observed()
    x, _ = _trailing(d, window_days, observed, exposure == "balance")
    gg, tt = np.nonzero(observed)
    return pd.DataFrame(
        {
            "athlete_id": pd.array(d.athletes[gg], dtype="string"),
            "date": d.day0 + pd.to_timedelta(tt, unit="D"),
            "day": tt.astype("int64"),
            "full_window": tt - window_days >= d.first[gg],
            "exposure": x[gg, tt],
        }
    )


# --------------------------------------------------------------------------- injury hazard


@dataclass(frozen=True)
class InjuryHazard:
    """The squad's answer to "does this exposure relate to the hazard of an injury?"

    ``hazard_ratio`` is per 100 units of exposure within an athlete (NaN with the reason in
    ``note`` when there are too few events); see :func:`injury_hazard`.
    """

    hazard_ratio: float
    ci_low: float
    ci_high: float
    pvalue: float
    n_events: int
    n_athletes: int
    method: str
    note: str = ""
    log_hr: float = np.nan
    se: float = np.nan
    dof: float = np.nan
    n_event_athletes: int = 0
    athlete_days: int = 0
    se_sandwich: float = np.nan  # R's robust se (no small-sample correction)
    se_jackknife: float = np.nan
    exposure: str = "hf_reps"
    window_days: int = 28

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of the fields."""
        return pd.DataFrame([asdict(self)])


def _injuries(n: int) -> str:
    return f"{n} injury" if n == 1 else f"{n} injuries"


def _days_out(injuries: pd.DataFrame, day0: pd.Timestamp) -> tuple[np.ndarray, ...]:
    onset = pd.to_datetime(injuries["onset_date"], errors="coerce").dt.normalize()
    back = pd.to_datetime(injuries["return_date"], errors="coerce").dt.normalize()
    lost = pd.to_numeric(injuries["days_lost"], errors="coerce")
    back = back.fillna(onset + pd.to_timedelta(lost, unit="D"))
    o = ((onset - day0).dt.days).to_numpy("float64")
    b = ((back - day0).dt.days).to_numpy("float64")
    return o, b


def _score_stat(
    start: np.ndarray,
    stop: np.ndarray,
    event: np.ndarray,
    X: np.ndarray,
    cluster: np.ndarray,
    b0: float,
) -> float:
    """Robust score statistic for H0: β_0 = b0 (the other coefficients refitted under
    H0): the efficient score of β_0 summed over clusters over the root of its clusters'
    sum of squares (Lin & Wei 1989; R's "Robust" score test). Decreasing in b0."""
    w = X[:, 0]
    rest = X[:, 1:]
    init = [b0]
    if rest.shape[1]:
        f0 = cox_fit(start, stop, event, rest, cluster=cluster, offset=b0 * w)
        init = [b0, *f0.coef]
    fz = cox_fit(start, stop, event, X, cluster=cluster, init=init, max_iter=0)
    info = np.linalg.pinv(fz.var)
    U = fz.scores
    u = U[:, 0]
    if rest.shape[1]:
        u = u - U[:, 1:] @ np.linalg.solve(info[1:, 1:], info[1:, 0])
    ss = float((u**2).sum())
    return float(u.sum()) / np.sqrt(ss) if ss > 0 else 0.0


def _score_interval(
    start: np.ndarray,
    stop: np.ndarray,
    event: np.ndarray,
    X: np.ndarray,
    cluster: np.ndarray,
    beta: float,
    se: float,
    q: float,
) -> tuple[float, float]:
    """The b0 where the robust score statistic equals +q and −q (the interval of the
    values the score test does not reject), searched outward from the Wald bounds
    β̂ ∓ q·se; a side the test never reaches within ±``MAX_LOG_HR`` is open (±inf)."""
    from scipy.optimize import brentq

    def g(b: float, target: float) -> float:
        with np.errstate(all="ignore"):
            try:
                value = _score_stat(start, stop, event, X, cluster, b)
            except (np.linalg.LinAlgError, ValueError):
                return np.nan
        return value - target

    def bound(target: float, direction: float) -> float:
        inner, g_in = beta, g(beta, target)
        outer = beta + direction * q * se
        while abs(outer - beta) <= MAX_LOG_HR:
            g_out = g(outer, target)
            if not np.isfinite(g_out):
                break
            if g_out * g_in <= 0:
                lo, hi = sorted((inner, outer))
                return float(brentq(g, lo, hi, args=(target,), xtol=1e-4))
            inner, g_in = outer, g_out
            outer = beta + 1.5 * (outer - beta)
        return float(np.inf * direction)

    return bound(q, -1.0), bound(-q, 1.0)


def _small_sample(
    fit: CoxFit, j: int, ci: float, correction: str
) -> tuple[float, float, float, float, float]:
    """se, lower, upper (log scale), p-value and dof of coefficient ``j``."""
    b = float(fit.coef[j])
    G = fit.n_clusters
    if correction == "z":  # R's coxph: robust se, normal reference
        se = float(fit.robust_se[j])
        q = float(st.norm.ppf(0.5 + ci / 2))
        p = float(2 * st.norm.sf(abs(b / se)))
        return se, b - q * se, b + q * se, p, np.inf
    if correction == "jackknife":
        se = float(np.sqrt(fit.jackknife_var[j, j]))
    else:
        se = float(fit.robust_se[j]) * np.sqrt(G / (G - 1))
    dof = float(G - 1)
    q = float(st.t.ppf(0.5 + ci / 2, dof))
    p = float(2 * st.t.sf(abs(b / se), dof))
    return se, b - q * se, b + q * se, p, dof


@dataclass(frozen=True)
class _RiskData:
    """Athlete × day arrays of the time at risk (see :func:`injury_hazard`, Notes)."""

    athletes: np.ndarray
    day0: pd.Timestamp
    x: np.ndarray  # exposure over the window before each day (G × T)
    at_risk: np.ndarray  # G × T bool
    available: np.ndarray  # observed and not out injured (G × T bool)
    daily: np.ndarray  # the daily exposure (G × T; flexor reps for "balance")
    ev_g: np.ndarray  # athlete and day of each injury that counts as an event
    ev_t: np.ndarray
    notes: tuple[str, ...]


def _risk_data(
    log: pd.DataFrame,
    injuries: pd.DataFrame,
    exposure: str,
    window_days: int,
    locs: Sequence[str] | None,
) -> _RiskData | None:
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    d = _daily(log, exposure)
    if d is None:
        return None
    athletes = pd.Index(d.athletes)
    G, T = d.shape
    observed = d.observed()
    full = np.arange(T)[None, :] - window_days >= d.first[:, None]

    inj_g = athletes.get_indexer(injuries["athlete_id"].astype("string").astype(object))
    onset, back = _days_out(injuries, d.day0)
    notes: list[str] = []
    unknown = int((inj_g < 0).sum())
    if unknown:
        notes.append(f"{_injuries(unknown)} of athletes without a training log left out")
    bad_onset = int(((inj_g >= 0) & np.isnan(onset)).sum())
    if bad_onset:
        notes.append(f"{_injuries(bad_onset)} without an onset date left out")
    known = (inj_g >= 0) & ~np.isnan(onset)
    no_loss = int((known & np.isnan(back)).sum())
    if no_loss:
        notes.append(f"{_injuries(no_loss)} without days lost or a return date: no time taken out")
    # days out: onset + 1 .. return − 1, as +1/−1 marks summed along the days
    span = known & ~np.isnan(back)
    lo = np.clip(onset[span] + 1, 0, T).astype("int64")
    hi = np.clip(back[span], 0, T).astype("int64")
    ok = hi > lo
    marks = np.zeros((G, T + 1))
    np.add.at(marks, (inj_g[span][ok], lo[ok]), 1.0)
    np.add.at(marks, (inj_g[span][ok], hi[ok]), -1.0)
    out = np.cumsum(marks, axis=1)[:, :T] > 0
    available = observed & ~out
    x, n_avail = _trailing(d, window_days, available, exposure == "balance")
    at_risk = available & full
    thin = int((at_risk & (n_avail < window_days / 2)).sum())
    if thin:
        notes.append(
            f"{thin} athlete-days within {window_days // 2} days of a return from injury"
            " (half the window out) left out"
        )
    at_risk &= n_avail >= window_days / 2
    undefined = int((at_risk & np.isnan(x)).sum())
    if undefined:
        notes.append(
            f"{undefined} athlete-days whose window holds no hip-extensor work"
            " (balance undefined) left out"
        )
    at_risk &= ~np.isnan(x)

    counted = (inj_g >= 0) & ~np.isnan(onset)
    if locs is not None:
        loc = injuries["location"].astype("string").str.strip().str.lower()
        counted &= loc.isin([str(v).lower() for v in locs]).fillna(False).to_numpy(bool)
    ev_g = inj_g[counted]
    ev_t = onset[counted].astype("int64")
    inside = (ev_t >= 0) & (ev_t < T)
    risk_ok = np.zeros(len(ev_g), bool)
    risk_ok[inside] = at_risk[ev_g[inside], ev_t[inside]]
    not_at_risk = int((~risk_ok).sum())
    if not_at_risk:
        notes.append(
            f"{_injuries(not_at_risk)} outside the time at risk"
            f" (the first {window_days} days of an athlete's log, time lost to an earlier injury,"
            " or after the last log date) not counted"
        )
    ev_g, ev_t = ev_g[risk_ok], ev_t[risk_ok]
    return _RiskData(
        d.athletes, d.day0, x, at_risk, available, d.series[0], ev_g, ev_t, tuple(notes)
    )


def injury_hazard(
    ds: Any,
    *,
    exposure: str = "hf_reps",
    window_days: int = 28,
    locations: Sequence[str] | str | None = None,
    ci: float = 0.95,
    min_events: int = MIN_EVENTS,
    min_event_athletes: int = MIN_EVENT_ATHLETES,
    correction: Literal["score", "jackknife", "t", "z"] = "score",
) -> InjuryHazard:
    """Hazard ratio of injury per 100 units of trailing-window exposure, within athlete.

    Parameters
    ----------
    ds : Dataset
        Needs ``ds.log`` (the clean training log) and ``ds.injuries`` (``athlete_id,
        onset_date, location, days_lost, return_date, recurrence`` — docs/architecture.md). Without
        an injury log the answer is NaN with a note, never an error.
    exposure : str, default "hf_reps"
        ``"hf_reps"`` (hip-flexion reps), another numeric log column (``hf_load_kg``), or
        ``"balance"``: hip-flexor reps per 100 hip-extensor reps in the window (families
        read from the log's ``family`` column; an extensor entry's reps are sets × reps,
        doubled per leg). A balance of 100 means as many flexor as extensor reps; the
        hazard ratio is then per +100 (e.g. from 100 to 200: twice the extensor volume).
    window_days : int, default 28
        Exposure on a day = the sum over the ``window_days`` days before it.
    locations : str or sequence of str, optional
        Injury locations that count as events (e.g. ``("hamstring", "hip_groin")``); all
        injuries by default. Every injury, counted or not, takes its days lost out of the
        time at risk.
    ci : float, default 0.95
        Confidence level.
    min_events, min_event_athletes : int
        The "too few events" rule (defaults :data:`MIN_EVENTS`, :data:`MIN_EVENT_ATHLETES`).
    correction : {"score", "jackknife", "t", "z"}, default "score"
        Inference with G athletes: ``"score"`` — the robust score test on t with G − 1
        df and the interval of hazard ratios it does not reject (the headline);
        ``"jackknife"`` — Wald with the one-step jackknife SE on t(G − 1); ``"t"`` —
        Wald with the sandwich × G/(G−1) on t(G − 1); ``"z"`` — R's plain robust Wald z.
        The last three are for comparison: anti-conservative with 12–40 athletes
        (``benchmarks/injury_calibration.py``).

    Returns
    -------
    InjuryHazard
        ``hazard_ratio`` (per 100 units, within athlete), ``ci_low``, ``ci_high``,
        ``pvalue``, ``n_events`` (injuries while at risk that count), ``n_athletes``
        (athletes with time at risk), ``method``, ``note``; also ``log_hr``, ``se`` (the
        jackknife SE of log_hr with ``"score"``), ``dof``, ``n_event_athletes``,
        ``athlete_days``, ``se_sandwich`` (R's robust se) and ``se_jackknife``.

    Notes
    -----
    **Time at risk.** Calendar days from the day the athlete's first window is complete
    (first log date + ``window_days``) to their last log date — the observed period,
    first to last log date — minus the days lost to every injury: from the day after
    onset up to the day before the return date (``return_date``, else onset +
    ``days_lost``, the consensus definition of time loss, Bahr et al. 2020), when the
    athlete is not training or racing. Each athlete-day is a row ``(t−1, t]``; an injury
    whose onset falls on a day at risk is an event (recurrent events allowed); one
    outside it (first window, time lost to an earlier injury) is counted in ``note``.

    **Exposure.** The work of the ``window_days`` days before the day, over the days
    the athlete was available (not out injured), scaled to the whole window: days out
    are not days of light work. Without this, every injury would lower its athlete's
    exposure for the weeks after it, and centring on the athlete's season mean (below)
    would make the days before each injury look heavy — a false "effect" the simulation
    measured at 13 % false findings. Days within ``window_days / 2`` of a return (less
    than half the window available) are left out of the time at risk.

    **Model.** Andersen–Gill Cox model on the calendar-day time scale (a squad-wide
    seasonal rise in risk sits in the baseline hazard), Efron ties:
    h_i(t) = h_0(t) exp(β_W (x_it − x̄_i) + β_B x̄_i), x_it the exposure on day t / 100,
    x̄_i the athlete's mean over their days at risk. β_W compares each athlete with
    themselves (the within-athlete, "hybrid" decomposition of Allison 2009; Neuhaus &
    Kalbfleisch 1998): an athlete who always trains more and is injured more does not
    enter it. ``hazard_ratio`` = exp(β_W), a population-averaged hazard ratio: with
    athletes who differ in ways the model does not see it is somewhat closer to 1 than
    each athlete's own (about 1.45 for a true 1.5 in the simulation).

    **Inference.** Errors clustered by athlete. The Wald test with the robust sandwich
    SE (R's ``coxph(..., cluster = id)``) found an effect in 14 % of no-effect seasons of
    12 athletes and 10.5 % of 40; with a jackknife SE on t(G − 1) still 8 % and 8.5 % —
    a few injury-prone athletes carry most events. The robust score test (Lin & Wei
    1989; R's "Robust" score test) is evaluated at the null, where those athletes do not
    also inflate the fit: the athlete-summed efficient score for β_W (β_B refitted under
    H0) over the root of its athletes' sum of squares, referred to t on G − 1 df;
    ``ci_low``/``ci_high`` are the hazard ratios it does not reject (test inversion, so
    the interval and the p-value always agree). In ``benchmarks/injury_calibration.py``
    (200 seasons per cell) it found an effect in 1.1 % of no-effect seasons at 12
    athletes and 3.5 % at 40, and its 95 % interval held a planted hazard ratio of 1.25
    in 96.5 % and 93.0 % of seasons. With 12 athletes it is conservative: a p-value
    below 0.001 is out of its reach (the statistic is bounded by √G).

    **Too few events (the rule).** The answer is NaN, with the reason in ``note``, when
    fewer than ``min_events`` (10) injuries count as events, when they fall in fewer than
    ``min_event_athletes`` (4) athletes, or when fewer than :data:`MIN_ATHLETES` (5)
    athletes have time at risk — ten events per estimated coefficient is the usual floor
    for a Cox model (Peduzzi et al. 1995), and a robust variance from events in two or
    three athletes has next to no degrees of freedom. In the simulation the seasons it
    refuses (a rare injury, 12 athletes: 2–9 events) gave a Wald-z "finding" in 20 % of
    no-effect seasons; the score test found none there, so the rule is what keeps a
    less careful test in bound, and it keeps uninformative answers off the page.

    What it cannot say: a hazard ratio near 1 with a wide interval is "we cannot tell",
    not "no effect"; an association within athletes is not proof that the work prevents
    or causes injuries (coaches reduce the work of athletes who feel something coming).

    References
    ----------
    Allison PD (2009). Fixed Effects Regression Models. Sage, ch. 5.
    Andersen PK, Gill RD (1982). Ann Stat 10:1100–1120.
    Bell RM, McCaffrey DF (2002). Bias reduction in standard errors for linear
    regression with multi-stage samples. Surv Methodol 28:169–181.
    Bahr R et al. (2020). International Olympic Committee consensus statement: methods
    for recording and reporting of epidemiological data on injury and illness in sport.
    Br J Sports Med 54:372–389.
    Cameron AC, Miller DL (2015). A practitioner's guide to cluster-robust inference.
    J Hum Resour 50:317–372.
    Lin DY, Wei LJ (1989). JASA 84:1074–1078.
    Neuhaus JM, Kalbfleisch JD (1998). Between- and within-cluster covariate effects in
    the analysis of clustered data. Biometrics 54:638–645.
    Peduzzi P et al. (1995). Importance of events per independent variable in
    proportional hazards regression analysis. J Clin Epidemiol 48:1503–1510.

    Examples
    --------
    >>> import analysis as hf
    >>> res = hf.stats.injury_hazard(ds, locations=("hamstring", "hip_groin"))  # doctest: +SKIP
    >>> res.hazard_ratio, res.note  # doctest: +SKIP
    """
    locs = (locations,) if isinstance(locations, str) else locations
    method = (
        f"Andersen–Gill Cox model, {exposure} over the {window_days} days before each day"
        " (per 100), within athlete; Efron ties; clustered by athlete: "
        + {
            "score": "robust score test and its interval, t on G−1 df",
            "jackknife": "Wald, jackknife SE, t on G−1 df",
            "t": "Wald, sandwich SE × G/(G−1), t on G−1 df",
            "z": "Wald, sandwich SE, normal reference",
        }[correction]
    )

    def empty(note: str, **counts: int) -> InjuryHazard:
        return InjuryHazard(
            hazard_ratio=np.nan,
            ci_low=np.nan,
            ci_high=np.nan,
            pvalue=np.nan,
            n_events=counts.get("n_events", 0),
            n_athletes=counts.get("n_athletes", 0),
            method=method,
            note=note,
            n_event_athletes=counts.get("n_event_athletes", 0),
            athlete_days=counts.get("athlete_days", 0),
            exposure=exposure,
            window_days=window_days,
        )

    log = getattr(ds, "log", None)
    if log is None:
        raise DataError("the dataset has no training log", file="training log")
    injuries = getattr(ds, "injuries", None)
    if injuries is None:
        return empty("no injury log in the data folder: nothing to estimate")
    _require(
        injuries, ["athlete_id", "onset_date", "location", "days_lost", "return_date"], "injury log"
    )
    risk = _risk_data(log, injuries, exposure, window_days, locs)
    if risk is None:
        return empty("the training log has no dated entries: no time at risk")
    at_risk, x, ev_g, ev_t, notes = risk.at_risk, risk.x, risk.ev_g, risk.ev_t, list(risk.notes)
    G, T = at_risk.shape
    risk_athletes = np.flatnonzero(at_risk.any(axis=1))
    counts = {
        "n_events": len(ev_g),
        "n_athletes": len(risk_athletes),
        "n_event_athletes": len(np.unique(ev_g)),
        "athlete_days": int(at_risk.sum()),
    }
    if counts["n_athletes"] < MIN_ATHLETES:
        notes.insert(
            0,
            f"too few athletes with time at risk ({counts['n_athletes']}; the rule asks for {MIN_ATHLETES})",
        )
        return empty("; ".join(notes), **counts)
    if counts["n_events"] < min_events or counts["n_event_athletes"] < min_event_athletes:
        notes.insert(
            0,
            f"too few injuries to estimate anything: {counts['n_events']} in"
            f" {counts['n_event_athletes']} athlete(s); the rule asks for at least {min_events}"
            f" in {min_event_athletes} athletes",
        )
        return empty("; ".join(notes), **counts)

    # within / between decomposition over each athlete's days at risk
    xs = np.where(at_risk, x, 0.0) / PER
    n_days = at_risk.sum(axis=1)
    mean = np.divide(xs.sum(axis=1), n_days, out=np.zeros(G), where=n_days > 0)
    within = np.where(at_risk, xs - mean[:, None], 0.0)
    if not np.any(np.abs(within[at_risk]) > 1e-12):
        notes.insert(
            0, "the exposure never changes within an athlete: no within-athlete comparison"
        )
        return empty("; ".join(notes), **counts)
    # Only event days enter the partial likelihood: rows (t−1, t] of the athletes at
    # risk on a day with an event (an athlete-day with two injuries is two rows).
    event_days = np.unique(ev_t)
    rg, rk = np.nonzero(at_risk[:, event_days])
    rt = event_days[rk]
    n_ev = np.zeros((G, T), "int64")
    np.add.at(n_ev, (ev_g, ev_t), 1)
    k = n_ev[rg, rt]
    rep = np.maximum(k, 1)
    rg, rt = np.repeat(rg, rep), np.repeat(rt, rep)
    ev = np.repeat(k > 0, rep).astype("float64")
    design = np.column_stack([within[rg, rt], mean[rg]])
    if np.ptp(mean[risk_athletes]) < 1e-12:
        design = design[:, :1]
    start, stop = rt - 1.0, rt.astype("float64")
    fit = cox_fit(start, stop, ev, design, cluster=rg, ties="efron")
    if not fit.converged or not np.all(np.isfinite(fit.robust_se)):
        notes.insert(
            0, "the model did not converge (the exposure separates injured days perfectly?)"
        )
        return empty("; ".join(notes), **counts)
    # the clusters are all athletes at risk (rows off event days have zero residuals)
    fit = _with_clusters(fit, counts["n_athletes"])
    b = float(fit.coef[0])
    if correction == "score":
        dof = float(counts["n_athletes"] - 1)
        q = float(st.t.ppf(0.5 + ci / 2, dof))
        p = float(2 * st.t.sf(abs(_score_stat(start, stop, ev, design, rg, 0.0)), dof))
        se = float(np.sqrt(fit.jackknife_var[0, 0]))
        width = se if np.isfinite(se) and se > 0 else float(fit.robust_se[0])
        lo, hi = _score_interval(start, stop, ev, design, rg, b, width, q)
    else:
        se, lo, hi, p, dof = _small_sample(fit, 0, ci, correction)
    return InjuryHazard(
        hazard_ratio=float(np.exp(b)),
        ci_low=float(np.exp(lo)),
        ci_high=float(np.exp(hi)),
        pvalue=p,
        n_events=counts["n_events"],
        n_athletes=counts["n_athletes"],
        method=method,
        note="; ".join(notes),
        log_hr=b,
        se=se,
        dof=dof,
        n_event_athletes=counts["n_event_athletes"],
        athlete_days=counts["athlete_days"],
        se_sandwich=float(fit.robust_se[0]),
        se_jackknife=float(np.sqrt(fit.jackknife_var[0, 0])),
        exposure=exposure,
        window_days=window_days,
    )


def _with_clusters(fit: CoxFit, G: int) -> CoxFit:
    """The fit with its cluster count set to ``G`` (athletes at risk on no event day
    contribute zero score residuals but are clusters of the design all the same)."""
    from dataclasses import replace

    return replace(fit, n_clusters=max(G, fit.n_clusters))
