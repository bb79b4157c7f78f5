"""Funnel plot: many athletes' own slopes against their number of races, the extremes named.

Past a few dozen athletes a forest plot (one row per athlete) is unreadable; a funnel plot
(Spiegelhalter 2005) shows the whole squad at once: each athlete's own slope against the
number of races it rests on, inside the limits within which slopes would scatter by chance
alone around the squad's. Athletes outside them stand out, and the most extreme are named.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._style import PALETTE, REFERENCE_COLOR, house_style, literal, new_axes, title_text

__all__ = ["funnel_extremes", "funnel_limits", "plot_slope_funnel"]

#: Two-sided normal quantiles of the funnel's inner (95 %) and outer (99.8 %) limits.
Z_INNER, Z_OUTER = 1.959964, 3.090232


def _usable(slopes: pd.DataFrame) -> np.ndarray:
    s, se, n = (slopes[c].to_numpy(dtype=float) for c in ("slope", "se", "n"))
    return np.isfinite(s) & np.isfinite(se) & (se > 0) & (n > 1)


def _tau(slopes: pd.DataFrame) -> float:
    """The between-athlete spread of the true slopes that :func:`athlete_slopes` estimated."""
    if "tau" not in slopes.columns or not len(slopes):
        return 0.0
    tau = float(slopes["tau"].iloc[0])
    return tau if np.isfinite(tau) else 0.0


def funnel_limits(slopes: pd.DataFrame, n: np.ndarray, z: float = Z_INNER) -> np.ndarray:
    """Half-width of the funnel at ``n`` races: ``z · √(c² / (n − 1) + τ²)``.

    Parameters
    ----------
    slopes : DataFrame
        :func:`analysis.stats.athlete_slopes` (``n``, ``slope``, ``se``, ``tau``).
    n : array_like
        Numbers of races.
    z : float
        Normal quantile (1.96 for 95 %).

    Returns
    -------
    ndarray
        The half-widths; NaN when no athlete has a slope.

    Notes
    -----
    An athlete's slope has standard error σ / √Sxx, and Sxx grows with n − 1 races times
    the spread of their volume, so se·√(n − 1) is about the same for everyone: c is its
    median over the athletes with a slope (robust to a few athletes with odd volume).
    τ is the spread of the athletes' true slopes (``tau`` of :func:`athlete_slopes`,
    DerSimonian–Laird): athletes do differ, and the limits allow for it (the
    random-effects funnel of Spiegelhalter 2005), so an athlete outside them is unusual
    even among athletes who differ, not merely different from the squad's mean.
    """
    ok = _usable(slopes)
    n = np.asarray(n, dtype=float)
    if not ok.any():
        return np.full(n.shape, np.nan)
    se, races = slopes["se"].to_numpy(float)[ok], slopes["n"].to_numpy(float)[ok]
    c = float(np.median(se * np.sqrt(races - 1)))
    tau = _tau(slopes)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 1, z * np.sqrt(c * c / (n - 1) + tau * tau), np.nan)


def funnel_extremes(
    slopes: pd.DataFrame, pooled: object, *, subject: str = "athlete_id", k: int = 3
) -> pd.DataFrame:
    """The athletes farthest from the squad's slope, for their number of races.

    Parameters
    ----------
    slopes : DataFrame
        :func:`analysis.stats.athlete_slopes`.
    pooled : EffectResult
        The squad estimate (``estimate``).
    subject : str
        Athlete column.
    k : int
        How many on each side (below and above the squad's slope).

    Returns
    -------
    DataFrame
        Up to ``2k`` rows of ``slopes`` (the ``k`` lowest, then the ``k`` highest by
        ``z``, their distance from the squad's slope in funnel units), with ``z``,
        ``side`` (``below``/``above``) and ``outside`` (beyond the 99.8 % limit). Only
        athletes beyond the 95 % limit are named; none when no athlete has a slope.
    """
    est = float(getattr(pooled, "estimate", np.nan))
    ok = _usable(slopes)
    cols = [*slopes.columns, "z", "side", "outside"]
    if not ok.any() or not np.isfinite(est):
        return pd.DataFrame(columns=cols)
    d = slopes.loc[ok].copy()
    unit = funnel_limits(slopes, d["n"].to_numpy(float), z=1.0)
    d["z"] = (d["slope"].to_numpy(float) - est) / unit
    d["side"] = np.where(d["z"] < 0, "below", "above")
    d["outside"] = d["z"].abs() > Z_OUTER
    d = d.loc[d["z"].abs() > Z_INNER]
    low = d.loc[d["z"] < 0].nsmallest(k, "z")
    high = d.loc[d["z"] > 0].nlargest(k, "z")
    return pd.concat([low, high])[cols]


#: Where a name may go beside its dot (points): right, then left, stepping away from the
#: squad's line, until it overlaps no name already placed.
_OFFSETS = [(dx, dy) for dy in (0, 11, 22, 33, -11) for dx in (6, -6)]


def _place_label(ax: Axes, text: str, xy: tuple[float, float], placed: list, away: int) -> None:
    """Annotate ``xy`` with ``text`` where it overlaps none of the ``placed`` names' boxes
    (the first free offset of :data:`_OFFSETS`, stepping ``away`` from the squad's line),
    and add its box to ``placed``."""
    renderer = ax.figure.canvas.get_renderer()
    note = None
    for dx, dy in _OFFSETS:
        if note is not None:
            note.remove()
        note = ax.annotate(
            text, xy, xytext=(dx, away * dy), textcoords="offset points", fontsize="small",
            va="center", ha="left" if dx > 0 else "right", annotation_clip=False,
        )  # fmt: skip
        box = note.get_window_extent(renderer).expanded(1.0, 1.1)
        if not any(box.overlaps(other) for other in placed):
            break
    placed.append(note.get_window_extent(renderer))


def plot_slope_funnel(
    slopes: pd.DataFrame,
    pooled: object,
    *,
    subject: str = "athlete_id",
    labels: dict | None = None,
    k: int = 3,
    unit: str = "s per 100 reps",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Each athlete's own slope against their number of races, in a funnel around the squad's.

    Parameters
    ----------
    slopes : DataFrame
        :func:`analysis.stats.athlete_slopes`: ``subject, n, slope, se``.
    pooled : EffectResult
        The squad estimate (``estimate, ci_low, ci_high``).
    subject : str
        Athlete column of ``slopes``.
    labels : dict, optional
        Athlete id -> label (e.g. names); default the id.
    k : int, default 3
        Athletes named on each side (:func:`funnel_extremes`).
    unit : str
        Unit of the slopes, for the y axis.
    title : str, optional
        Figure title.
    ax : Axes, optional
        Axes to draw on.

    Returns
    -------
    Axes
        Dots: each athlete's own slope (athletes without one, too few races or no change
        in volume, are counted in the legend, not drawn), spread a little sideways where
        many have the same number of races; the dark line and band: the squad's estimate
        and 95 % CI; dashed and dotted curves: the 95 % and 99.8 % limits within which
        athletes' slopes usually scatter around the squad's, by chance and by the usual
        differences between athletes (:func:`funnel_limits`); the athletes of
        :func:`funnel_extremes` named.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24(8):1185-1202.
    """
    ax = new_axes(ax, figsize=(7.5, 5.0))
    labels = labels or {}
    with house_style():
        est = float(getattr(pooled, "estimate", np.nan))
        lo = float(getattr(pooled, "ci_low", np.nan))
        hi = float(getattr(pooled, "ci_high", np.nan))
        ok = _usable(slopes)
        d = slopes.loc[ok]
        n = d["n"].to_numpy(float)
        # athletes with the same number of races spread a little sideways (a fixed,
        # even scatter: the i-th of them at the fractional part of i × golden ratio)
        i = pd.Series(n).groupby(n).cumcount().to_numpy(float)
        x = n + 0.6 * (np.mod(i * 0.6180339887, 1.0) - 0.5)
        if len(d):
            grid = np.linspace(max(2.0, n.min() - 0.5), n.max() + 0.5, 200)
            if np.isfinite(est):
                for z, ls, name in ((Z_INNER, "--", "95 %"), (Z_OUTER, ":", "99.8 %")):
                    w = funnel_limits(slopes, grid, z)
                    ax.plot(grid, est + w, ls=ls, color=REFERENCE_COLOR, lw=1.0,
                            label=f"usual spread, {name} limits")  # fmt: skip
                    ax.plot(grid, est - w, ls=ls, color=REFERENCE_COLOR, lw=1.0)
        if np.isfinite(lo) and np.isfinite(hi):
            ax.axhspan(lo, hi, color=PALETTE[0], alpha=0.12, lw=0, label="squad, 95 % CI")
        if np.isfinite(est):
            ax.axhline(est, color=PALETTE[0], lw=1.6, label="squad estimate")
        ax.axhline(0, color=REFERENCE_COLOR, lw=0.8, ls="-", alpha=0.5, zorder=0)
        missing = int((~ok).sum())
        ax.plot(x, d["slope"].to_numpy(float), "o", color=PALETTE[1], ms=3.5, alpha=0.55,
                mew=0, label=f"an athlete's own slope ({len(d)} athletes"
                + (f"; {missing} without a slope of their own" if missing else "") + ")")  # fmt: skip
        ext = funnel_extremes(slopes, pooled, subject=subject, k=k)
        pos = dict(zip(d.index, zip(x, d["slope"].to_numpy(float), strict=True), strict=True))
        for idx in ext.index:
            ax.plot(*pos[idx], "o", mfc="none", color="black", ms=6, mew=0.9)
        ax.set_xlabel("races the athlete's own slope rests on")
        ax.set_ylabel(f"own slope ({unit}); below 0 = less fade")
        ax.set_title(title_text(title or "Each athlete's link between hip-flexor work and fade"))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
                  fontsize="small", frameon=False)  # fmt: skip
        if len(ext):  # names last, on the figure as laid out: where they overlap no other
            ax.figure.draw_without_rendering()
            placed: list = []
            for idx, row in ext.iterrows():
                text = literal(f"{labels.get(row[subject], row[subject])}")
                away = 1 if row["side"] == "above" else -1
                _place_label(ax, text, pos[idx], placed, away=away)
    return ax
