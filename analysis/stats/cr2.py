"""Pieces of the CR2 cluster-robust variance that work on all clusters at once.

The within-athlete fit (:func:`analysis.stats.within.within_athlete_effect`) adjusts each
cluster's residuals by (I − H_gg)^(−1/2) and refers its t statistic to Bell–McCaffrey
Satterthwaite degrees of freedom. These two helpers keep that linear in the number of
athletes G: the clusters grouped by size, so the s × s adjustments of every cluster of
one size are computed stacked, and the degrees of freedom from per-cluster p-vectors,
never from a races × athletes matrix.

References
----------
Bell RM, McCaffrey DF (2002). Bias reduction in standard errors for linear regression
with multi-stage samples. Survey Methodology 28(2):169-181.
Pustejovsky JE, Tipton E (2018). Small-sample methods for cluster-robust variance
estimation and hypothesis testing in fixed effects models. J Business & Economic
Statistics 36(4):672-683.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cluster_blocks", "cr2_adjustments", "satterthwaite_dof"]


def cluster_blocks(codes: np.ndarray, g: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The clusters grouped by size.

    Parameters
    ----------
    codes : ndarray of int
        Cluster (athlete) of each row, 0 … g − 1.
    g : int
        Number of clusters.

    Returns
    -------
    list of (ndarray, ndarray)
        For each cluster size s, the cluster numbers (k_s,) and the row numbers of their
        rows (k_s × s, each cluster's rows in data order).
    """
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


def cr2_adjustments(xg: np.ndarray, bread: np.ndarray) -> np.ndarray:
    """The CR2 adjustments A_g = (I − X̃_g B X̃_g')^(−1/2) of clusters of one size.

    Parameters
    ----------
    xg : ndarray
        The clusters' rows of the within-centred design, k × s × p (k clusters of s rows).
    bread : ndarray
        B = (X̃'X̃)⁻¹ (p × p).

    Returns
    -------
    ndarray
        A_g for each cluster, k × s × s; eigenvalues at or near zero are left out
        (Moore–Penrose, Pustejovsky & Tipton 2018).
    """
    s = xg.shape[1]
    m = np.eye(s) - xg @ bread @ xg.transpose(0, 2, 1)
    w, vec = np.linalg.eigh(m)  # k × s, k × s × s
    # eigenvalues at or near zero left out (Moore–Penrose, Pustejovsky & Tipton 2018)
    top = np.maximum(1.0, np.abs(w).max(axis=1, initial=0.0))[:, None]
    keep = w > 1e-10 * top
    wp = np.where(keep, np.where(keep, w, 1.0) ** -0.5, 0.0)
    return (vec * wp[:, None, :]) @ vec.transpose(0, 2, 1)


def satterthwaite_dof(
    Xc: np.ndarray, codes: np.ndarray, bread: np.ndarray, v: np.ndarray, g: int
) -> float:
    """Bell & McCaffrey (2002) Satterthwaite degrees of freedom of the x coefficient.

    Parameters
    ----------
    Xc : ndarray
        The within-centred design (N × p, x first).
    codes : ndarray of int
        Cluster of each row, 0 … g − 1.
    bread : ndarray
        B = (X̃'X̃)⁻¹ (p × p).
    v : ndarray
        v_g = A_g X̃_g B c stacked over the clusters (N,), c the first column of B.
    g : int
        Number of clusters.

    Returns
    -------
    float
        ν = (tr Ω)² / ‖Ω‖²_F.

    Notes
    -----
    Ω is the G × G matrix of a_g'a_h, a_g = M·embed_g(v_g) and M the residual maker of
    the model with athlete dummies, built from per-cluster pieces.

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
