"""One athlete's slope of a fatigue metric on volume (the athlete report).

With one athlete every comparison is within that athlete: :func:`within_athlete_estimate`
is the least-squares slope across their races, per 100 hip-flexor reps, with its 95 %
interval, and :func:`estimate_caveat` the plain-words caveat it carries when it rests on
few races or its interval is wide. No scipy.stats here: an athlete report's kernel does
not pay 1 s of CPU to import it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

__all__ = ["SMALL_DOF", "WIDE_CI_S", "Estimate", "estimate_caveat", "within_athlete_estimate"]

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
