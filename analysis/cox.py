"""The Cox model in counting-process form, with clustered (robust) errors.

:func:`cox_fit` is the model itself: Newton–Raphson on the partial likelihood with Efron
(R's default) or Breslow ties, for ``(start, stop]`` rows, with the robust (sandwich)
variance clustered like R's ``coxph(... , cluster = id)``. It is pinned in
``tests/test_injury_stats.py`` to the saved outputs of R survival's own test suite.
:func:`robust_score_stat` and :func:`score_interval` are the robust score test and its
interval; the injury hazard (:func:`analysis.injury_stats.injury_hazard`) is built on them.

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

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "MAX_LOG_HR",
    "CoxFit",
    "cox_fit",
    "robust_score_stat",
    "score_interval",
]

MAX_LOG_HR = 5.0  # the score interval is searched within log HR ± 5 of the estimate


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


def robust_score_stat(
    start: np.ndarray,
    stop: np.ndarray,
    event: np.ndarray,
    X: np.ndarray,
    cluster: np.ndarray,
    b0: float,
) -> float:
    """Robust score statistic for H0: β_0 = b0, the other coefficients refitted under H0.

    Parameters
    ----------
    start, stop, event, X, cluster : ndarray
        As in :func:`cox_fit` (the coefficient tested is the first column of ``X``).
    b0 : float
        The value of β_0 under the null.

    Returns
    -------
    float
        The efficient score of β_0 summed over clusters over the root of its clusters'
        sum of squares (Lin & Wei 1989; R's "Robust" score test). Decreasing in b0.
    """
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


def score_interval(
    start: np.ndarray,
    stop: np.ndarray,
    event: np.ndarray,
    X: np.ndarray,
    cluster: np.ndarray,
    beta: float,
    se: float,
    q: float,
) -> tuple[float, float]:
    """The interval of the values of β_0 the robust score test does not reject.

    Parameters
    ----------
    start, stop, event, X, cluster : ndarray
        As in :func:`robust_score_stat`.
    beta, se : float
        The estimate of β_0 and a standard error, where the search starts.
    q : float
        The critical value of the statistic.

    Returns
    -------
    (float, float)
        The b0 where the robust score statistic equals +q and −q, searched outward from
        the Wald bounds β̂ ∓ q·se; a side the test never reaches within ±``MAX_LOG_HR`` of
        the estimate is open (±inf).
    """
    from scipy.optimize import brentq

    def g(b: float, target: float) -> float:
        with np.errstate(all="ignore"):
            try:
                value = robust_score_stat(start, stop, event, X, cluster, b)
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
