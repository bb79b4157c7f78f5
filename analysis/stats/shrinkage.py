"""Partial pooling of the athletes' own slopes toward the squad's (empirical Bayes)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["shrink_slopes"]


def shrink_slopes(own: pd.DataFrame, beta: float, beta_se: float) -> pd.DataFrame:
    """The athletes' own slopes shrunk toward the squad slope ``beta``.

    Parameters
    ----------
    own : DataFrame
        One row per athlete with ``slope`` and ``se`` (their own least-squares slope and
        its standard error; NaN where there is none).
    beta, beta_se : float
        The squad's slope and its standard error.

    Returns
    -------
    DataFrame
        ``own`` plus ``shrunk``, ``shrunk_se``, ``weight`` (of the athlete's own slope,
        0–1; 0 without one) and ``tau`` (the spread of the true slopes between athletes).

    Notes
    -----
    Normal–normal: τ² by the method of moments (DerSimonian & Laird 1986, truncated at
    0) over the athletes with a slope and se > 0, w_i = τ² / (τ² + s_i²),
    shrunk_i = w_i b_i + (1 − w_i) β and shrunk_se_i = √(w_i s_i² + (1 − w_i)² se(β)²).

    References
    ----------
    Efron B, Morris C (1975). Data analysis using Stein's estimator and its
    generalizations. JASA 70(350):311-319.
    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin Trials
    7(3):177-188.
    """
    out = own
    ok = out["slope"].notna() & (out["se"] > 0)
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
    slopes = out["slope"].fillna(0.0).to_numpy()
    shrunk = weight * slopes + (1 - weight) * beta
    bse = beta_se if np.isfinite(beta_se) else 0.0
    shrunk_se = np.sqrt(weight * np.nan_to_num(s2_all) + (1 - weight) ** 2 * bse**2)
    return out.assign(shrunk=shrunk, shrunk_se=shrunk_se, weight=weight, tau=np.sqrt(tau2))
