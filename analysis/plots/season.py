"""Figures of the coach's season: plan adherence, progression, week-to-week ramp."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..volume import exercise_progression
from ._style import (
    PALETTE,
    REFERENCE_COLOR,
    house_style,
    literal,
    new_axes,
    series_colour,
    title_text,
    week_bars,
)

__all__ = ["plot_plan_adherence", "plot_progression", "plot_ramp"]


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)


def plot_plan_adherence(
    adherence: pd.DataFrame,
    athlete_id: str | None = None,
    ax: Axes | None = None,
    *,
    who: str | None = None,
) -> Axes:
    """Planned against done hip-flexion reps per week, the adherence % above each week.

    Parameters
    ----------
    adherence : DataFrame
        Output of :func:`analysis.plan_adherence`.
    athlete_id : str, optional
        Draw this athlete only; default every row summed (the squad).
    ax : Axes, optional
        Axes to draw on.
    who : str, optional
        Whose plan, for the title.

    Returns
    -------
    Axes
        Grey outlined bars: planned; blue bars: done; the % done above each week; a week
        with nothing written down at all is marked with a red × (not the same as a week
        off: the log cannot tell).
    """
    d = adherence if athlete_id is None else adherence.loc[adherence["athlete_id"] == athlete_id]
    week = d.groupby("week", sort=True).agg(
        planned=("planned_hf_reps", "sum"), done=("done_hf_reps", "sum"),
        logged=("days_logged", "sum"),
    )  # fmt: skip
    ax = new_axes(ax, figsize=(8.0, 4.0))
    who = who or (athlete_id if athlete_id is not None else "squad")
    with house_style():
        if week.empty:
            _empty(ax, "no plan for these weeks (add plan.csv to the data folder)")
        else:
            x = week.index
            width = pd.Timedelta(days=5.5)
            planned = week["planned"].astype("float64").to_numpy()
            done = week["done"].astype("float64").to_numpy()
            week_bars(ax, x, planned, facecolors="none", edgecolors="#555555",
                      linewidths=1.2, label="planned", zorder=3)  # fmt: skip
            week_bars(ax, x, done, width_days=3.5, offset_days=1.0, facecolors=PALETTE[0],
                      edgecolors="none", label="done (logged)", zorder=2)  # fmt: skip
            top = float(np.nanmax(np.concatenate([planned, done]))) if len(x) else 1.0
            quiet = (week["logged"] == 0).to_numpy()
            if quiet.any():
                ax.scatter(x[quiet] + width / 2, np.zeros(int(quiet.sum())), marker="x",
                           color=PALETTE[1], s=40, zorder=5, clip_on=False,
                           label="nothing logged that week")  # fmt: skip
            for xi, p, dn, q in zip(x, planned, done, quiet, strict=True):
                if p > 0 and not q:
                    ax.text(xi + width / 2, max(p, dn) + top * 0.02, f"{dn / p * 100:.0f}%",
                            ha="center", va="bottom", fontsize=7, color="#333333",
                            rotation=90 if len(x) > 12 else 0)  # fmt: skip
            ax.set_ylim(0, top * 1.25)
            ax.legend(fontsize="small", loc="upper left")
            ax.figure.autofmt_xdate()
        ax.set_xlabel("week starting (Monday)")
        ax.set_ylabel("hip-flexion reps per week")
        ax.set_title(title_text(f"Plan against done, {who} (% = done ÷ planned)"))
    return ax


def plot_progression(
    log: pd.DataFrame,
    athlete_id: str | None = None,
    ax: Axes | None = None,
    *,
    exercise_names: Mapping[str, str] | None = None,
    who: str | None = None,
    smooth_weeks: int = 3,
    max_exercises: int = 5,
) -> Axes:
    """Each hip-flexor exercise's weekly volume over the season, one line per exercise.

    Drawn as a ``smooth_weeks`` rolling mean (1: the raw weekly sums) of the
    ``max_exercises`` exercises with most volume (the rest are counted in a note). Weeks
    inside the exercise's span without it count as 0, so a drill that was dropped is
    seen falling, not as a gap.
    """
    names = dict(exercise_names or {})
    if athlete_id is not None:
        log = log.loc[log["athlete_id"] == athlete_id]
    prog = exercise_progression(log)
    ax = new_axes(ax, figsize=(8.0, 4.0))
    who = who or (athlete_id if athlete_id is not None else "squad total")
    with house_style():
        if prog.empty:
            _empty(ax, "no hip-flexor work logged")
        else:
            table = prog.pivot_table(index="week", columns="exercise", values="hf_reps",
                                     aggfunc="sum", fill_value=0.0)  # fmt: skip
            # a 3-week rolling mean of the top exercises: a season's build-up, not noise
            smooth = table.rolling(smooth_weeks, min_periods=1).mean()
            top = table.sum().sort_values(ascending=False).index[:max_exercises]
            for i, col in enumerate(top):
                ax.plot(smooth.index, smooth[col].to_numpy(dtype=float), marker="o",
                        markersize=3, color=series_colour(i),
                        label=literal(names.get(str(col), col)))  # fmt: skip
            rest = len(table.columns) - len(top)
            if rest > 0:
                ax.text(0.99, 0.98, f"+{rest} smaller exercise{'s' * (rest != 1)} not drawn",
                        ha="right", va="top", fontsize=7, transform=ax.transAxes)  # fmt: skip
            ax.legend(title="exercise", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
            ax.figure.autofmt_xdate()
        ax.set_xlabel("week starting (Monday)")
        ax.set_ylabel("hip-flexion reps per week")
        ax.set_title(
            title_text(f"Progression of each exercise, {who} ({smooth_weeks}-week average)")
        )
    return ax


def plot_ramp(
    log: pd.DataFrame,
    athlete_id: str | None = None,
    ax: Axes | None = None,
    *,
    who: str | None = None,
) -> Axes:
    """Week-to-week change of total hip-flexion reps, percent (the ramp)."""
    from ..volume import weekly_volume

    if athlete_id is not None:
        log = log.loc[log["athlete_id"] == athlete_id]
    ax = new_axes(ax, figsize=(8.0, 3.0))
    who = who or (athlete_id if athlete_id is not None else "squad total")
    with house_style():
        weekly = weekly_volume(log).groupby("week", sort=True)["hf_reps"].sum()
        prev = weekly.shift(1)
        ramp = ((weekly - prev) / prev * 100).where(prev > 0).dropna()
        if ramp.empty:
            _empty(ax, "fewer than two weeks with hip-flexor work")
        else:
            colours = [PALETTE[1] if v > 0 else PALETTE[0] for v in ramp.to_numpy()]
            week_bars(ax, ramp.index, ramp.to_numpy(dtype=float), facecolors=colours,
                      edgecolors="none")  # fmt: skip
            ax.axhline(0, color=REFERENCE_COLOR, linewidth=0.8)
            ax.figure.autofmt_xdate()
        ax.set_xlabel("week starting (Monday)")
        ax.set_ylabel("change on the week before (%)")
        ax.set_title(title_text(f"Week-to-week ramp of hip-flexor volume, {who}"))
    return ax
