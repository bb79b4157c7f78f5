"""Figures of hip-flexor volume and its relation to fatigue."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from ..stats import rm_corr
from ..volume import weekly_volume
from ._style import (
    PALETTE,
    house_style,
    literal,
    new_axes,
    series_colour,
    title_text,
    week_bars,
)

__all__ = ["plot_volume_vs_fatigue", "plot_weekly_volume"]


def plot_weekly_volume(
    log: pd.DataFrame,
    athlete_id: str | None = None,
    by_exercise: bool = True,
    ax: Axes | None = None,
    *,
    exercise_names: Mapping[str, str] | None = None,
    who: str | None = None,
) -> Axes:
    """Stacked bars of weekly hip-flexor reps, one colour per exercise.

    Parameters
    ----------
    log : DataFrame
        Clean training log.
    athlete_id : str, optional
        Draw this athlete only; default all athletes in ``log`` summed (squad total).
    by_exercise : bool, default True
        Stack by exercise; otherwise one bar per week.
    ax : Axes, optional
        Axes to draw on; default a new figure in the house style.
    exercise_names : mapping, optional
        Exercise id -> the name shown in the legend (e.g. the catalog's ``name``
        column); ids without a name are shown as they are.
    who : str, optional
        Whose volume, for the title (default the athlete id, or "squad total").

    Returns
    -------
    Axes
    """
    names = dict(exercise_names or {})
    if athlete_id is not None:
        log = log.loc[log["athlete_id"] == athlete_id]
    ax = new_axes(ax, figsize=(8.0, 4.0))
    if who is None:
        who = athlete_id if athlete_id is not None else "squad total"
    with house_style():
        if by_exercise:
            weekly = weekly_volume(log, by_exercise=True)
            table = weekly.pivot_table(
                index="week", columns="exercise", values="hf_reps", aggfunc="sum", fill_value=0.0
            )
        else:
            weekly = weekly_volume(log)
            table = weekly.groupby("week")[["hf_reps"]].sum()
        if table.empty:
            ax.text(
                0.5,
                0.5,
                "no hip-flexor work logged",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
        else:
            _stacked_weeks(ax, table, names)
            if by_exercise:
                ax.legend(
                    title="exercise",
                    fontsize=8,
                    loc="upper left",
                    bbox_to_anchor=(1.0, 1.0),
                )
        ax.set_xlabel("week starting (Monday)")
        ax.set_ylabel("hip-flexor reps per week")
        ax.set_title(title_text(f"Weekly hip-flexor volume, {who}"))
        ax.figure.autofmt_xdate()
    return ax


def _stacked_weeks(ax: Axes, table: pd.DataFrame, names: Mapping[str, str]) -> None:
    """Stacked weekly bars, one colour per column of ``table`` (largest total lowest), each
    column one labelled collection (:func:`._style.week_bars`: 40 weeks × 10 exercises are
    10 artists, not 400 Rectangles; the legend shows each as a patch)."""
    order = table.sum().sort_values(ascending=False).index
    bottom = np.zeros(len(table))
    for i, col in enumerate(order):
        values = table[col].to_numpy(dtype=float)
        week_bars(ax, table.index, values, bottom=bottom, keep_zero=False,
                  facecolors=series_colour(i), edgecolors="none",
                  label=literal(names.get(str(col), col)))  # fmt: skip
        bottom = bottom + values


def plot_volume_vs_fatigue(
    table: pd.DataFrame,
    x: str,
    y: str,
    subject: str | None = None,
    ax: Axes | None = None,
    *,
    title: str | None = None,
) -> Axes:
    """Scatter of a fatigue metric against volume, with per-athlete within lines.

    With ``subject`` given, each athlete's points share a colour and each athlete gets a
    line with the common within-athlete slope (repeated-measures correlation) through
    their own mean, spanning their own range of x — the rmcorr plot of Bakdash &
    Marusich (2017). The title gives r_rm with its 95 % CI and the numbers behind it.

    Parameters
    ----------
    table : DataFrame
        One row per race (e.g. from :func:`analysis.relate.race_table`).
    x, y : str
        Volume column (e.g. ``hf_reps_28d``) and fatigue column (e.g. ``differential_s``).
    subject : str, optional
        Athlete column; without it, a plain scatter.
    ax : Axes, optional
        Axes to draw on.
    title : str, optional
        Title; default says, in words, which metric is drawn against which volume.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax)
    cols = [x, y] + ([subject] if subject else [])
    d = table[cols].dropna()
    d = d.assign(**{x: d[x].astype("float64"), y: d[y].astype("float64")})
    with house_style():
        if subject is None:
            ax.scatter(d[x], d[y], s=18, color=PALETTE[0], alpha=0.7)
            n = len(d)
            ax.set_title(
                title_text(title or f"{_short(y)} against {_short(x)} ({n} race{'s' * (n != 1)})"),
                fontsize=10,
            )
        else:
            codes, _ = pd.factorize(d[subject], sort=True)
            colours = [series_colour(int(c)) for c in codes]
            ax.scatter(d[x], d[y], s=18, c=colours, alpha=0.7)
            res = rm_corr(d, x, y, subject)
            if np.isfinite(res.slope):
                g = d.groupby(subject, sort=True)
                mx, my = g[x].mean(), g[y].mean()
                lo, hi = g[x].min(), g[x].max()
                segs = np.stack(
                    [
                        np.column_stack([lo, my + res.slope * (lo - mx)]),
                        np.column_stack([hi, my + res.slope * (hi - mx)]),
                    ],
                    axis=1,
                )
                seg_colours = [series_colour(i) for i in range(len(mx))]
                ax.add_collection(LineCollection(segs, colors=seg_colours, linewidths=1.5))
                ax.set_title(
                    f"Within-athlete: r_rm = {res.r:.2f} [95% CI {res.ci_low:.2f}, {res.ci_high:.2f}], "
                    f"{res.n} races, {res.n_subjects} athletes",
                    fontsize=10,
                )
            else:
                ax.set_title(
                    title_text(title or f"{_short(y)} against {_short(x)}: {res.note}"), fontsize=10
                )
        ax.set_xlabel(literal(_label(x)))
        ax.set_ylabel(literal(_label(y)))
    return ax


def _window(col: str) -> tuple[str, str] | None:
    """``("reps", "28")`` for ``hf_reps_28d``, ``("load", "28")`` for ``hf_load_kg_28d``."""
    for prefix, kind in (("hf_reps_", "reps"), ("hf_load_kg_", "load")):
        if col.startswith(prefix) and col.endswith("d"):
            return kind, col[len(prefix) : -1]
    return None


def _short(col: str) -> str:
    """A metric or volume column in a few words (for titles)."""
    if w := _window(col):
        return f"hip-flexor {w[0]} in the {w[1]} days before"
    words = {
        "differential_s": "Second-half fade",
        "velocity_loss_pct": "Velocity loss",
        "days_since_hf": "days since the last hip-flexor session",
    }
    return words.get(col, col.replace("_", " "))


def _label(col: str) -> str:
    """A metric or volume column as an axis label, with its unit."""
    if w := _window(col):
        what = "reps" if w[0] == "reps" else "load (kg·reps)"
        return f"hip-flexor {what} in the {w[1]} days before the race"
    return {
        "differential_s": "second half − first half (s)",
        "velocity_loss_pct": "velocity loss (%)",
        "days_since_hf": "days since last hip-flexor session",
    }.get(col, col)
