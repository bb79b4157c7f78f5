"""Many tests at once: false discovery rate, familywise max-T and Holm adjustments.

``fdr_bh`` is Benjamini–Hochberg (scipy); ``max_t_pvalues`` the single-step max-T
familywise p-values for correlated statistics (the overlapping windows of
:func:`analysis.stats.window_scan`); ``holm`` the step-down familywise adjustment.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._lazy import lazy_module

st = lazy_module("scipy.stats")  # imported on first use

__all__ = ["fdr_bh", "holm", "max_t_pvalues"]


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


def max_t_pvalues(
    z: np.ndarray, corr: np.ndarray, dof: float, *, draws: int = 20000, seed: int = 0
) -> np.ndarray:
    """Familywise (single-step max-T) adjusted p-values.

    Parameters
    ----------
    z : ndarray
        The statistics (NaN kept as NaN).
    corr : ndarray
        Their correlation matrix.
    dof : float
        Degrees of freedom of the joint t (NaN or ≤ 0: jointly normal).
    draws : int, default 20000
        Monte Carlo draws.
    seed : int, default 0
        Seed of the draws, so results are reproducible.

    Returns
    -------
    ndarray
        P(max_k |T_k| ≥ |z_j|) when the statistics are jointly t with correlation
        ``corr`` and ``dof`` degrees of freedom.

    References
    ----------
    Hothorn T, Bretz F, Westfall P (2008). Simultaneous inference in general parametric
    models. Biometrical J 50(3):346-363.
    """
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


def holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values; NaN kept as NaN.

    Parameters
    ----------
    p : ndarray
        Raw p-values.

    Returns
    -------
    ndarray
        Adjusted p-values, in the order given.

    References
    ----------
    Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat
    6(2):65-70.
    """
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if not len(ok):
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    adj = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
    out[order] = adj
    return out
