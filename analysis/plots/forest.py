"""Forest plot: each athlete's within-athlete slope around the squad's pooled one."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._style import PALETTE, REFERENCE_COLOR, house_style, literal, new_axes, title_text

__all__ = ["plot_athlete_slopes"]


def plot_athlete_slopes(
    slopes: pd.DataFrame,
    pooled: object,
    *,
    subject: str = "athlete_id",
    labels: dict | None = None,
    unit: str = "s per 100 reps",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Per-athlete slopes (own, and partially pooled) around the squad's pooled slope.

    Parameters
    ----------
    slopes : DataFrame
        :func:`analysis.stats.athlete_slopes`: ``subject, n, slope, se, shrunk, shrunk_se``.
    pooled : EffectResult
        The squad estimate (``estimate, ci_low, ci_high``).
    subject : str
        Athlete column of ``slopes``.
    labels : dict, optional
        Athlete id -> label (e.g. names); default the id.
    unit : str
        Unit of the slopes, for the x axis.
    title : str, optional
        Figure title.
    ax : Axes, optional
        Axes to draw on.

    Returns
    -------
    Axes
        Open circles with thin 95 % bars: each athlete's own slope (NaN: too few races,
        not drawn); filled dots: the athlete partially pooled toward the squad; the
        shaded band and the dark line: the squad's 95 % interval and estimate; a dotted
        line at 0 (no link).
    """
    n = max(len(slopes), 1)
    ax = new_axes(ax, figsize=(7.0, 1.2 + 0.32 * n))
    with house_style():
        labels = labels or {}
        y = np.arange(len(slopes))[::-1]
        est = float(getattr(pooled, "estimate", np.nan))
        lo = float(getattr(pooled, "ci_low", np.nan))
        hi = float(getattr(pooled, "ci_high", np.nan))
        if np.isfinite(lo) and np.isfinite(hi):
            ax.axvspan(lo, hi, color=PALETTE[0], alpha=0.12, lw=0, label="squad, 95 % CI")
        if np.isfinite(est):
            ax.axvline(est, color=PALETTE[0], lw=1.6, label="squad estimate")
        ax.axvline(0, color=REFERENCE_COLOR, lw=0.9, ls=":", zorder=0)
        own = slopes["slope"].to_numpy(dtype=float)
        se = slopes["se"].to_numpy(dtype=float)
        ok = np.isfinite(own) & np.isfinite(se)
        if ok.any():
            ax.errorbar(own[ok], y[ok], xerr=1.96 * se[ok], fmt="o", mfc="white",
                        color=REFERENCE_COLOR, ms=5, lw=0.8, capsize=2,
                        label="athlete's own races only")  # fmt: skip
        ax.plot(slopes["shrunk"].to_numpy(dtype=float), y, "o", color=PALETTE[1], ms=5,
                label="athlete, pooled toward the squad")  # fmt: skip
        names = [
            literal(f"{labels.get(a, a)} ({int(k)} race{'s' * (int(k) != 1)})")
            for a, k in zip(slopes[subject], slopes["n"], strict=True)
        ]
        ax.set_yticks(y, names)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.set_xlabel(f"change in second-half fade ({unit}); left of 0 = less fade")
        if len(slopes):
            ax.set_ylim(-0.8, len(slopes) - 0.2)
        ax.set_title(title_text(title or "Each athlete's link between hip-flexor work and fade"))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18 - 0.6 / n), ncol=2,
                  fontsize="small", frameon=False)  # fmt: skip
    return ax
