"""Cohort figures: athlete means by group, and mean velocity profiles by group."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._style import house_style, literal, new_axes, series_colour, title_text

_LABELS = {
    "hf_reps_per_week": "hip-flexor reps per week (athlete mean)",
    "differential_s": "second-half differential (s, athlete mean)",
    "velocity_loss_pct": "velocity loss (%, athlete mean)",
    "hf_reps_window": "hip-flexor reps before races (athlete mean)",
}


def plot_cohort_metric(
    means: pd.DataFrame,
    metric: str,
    *,
    cohort_label: str = "cohort",
    ax: Axes | None = None,
    summarise: bool = False,
) -> Axes:
    """One dot per athlete, grouped by cohort, with each cohort's mean as a bar.

    With ``summarise`` (past :data:`analysis.config.SQUAD_SUMMARY_ATHLETES` athletes,
    where dots pile into a smear) each cohort is a box instead: the middle half of its
    athletes, the median, whiskers from the 5th to the 95th percentile, the mean as a
    bar, and the number of athletes under the group's name.

    Parameters
    ----------
    means : DataFrame
        :func:`analysis.reports.pages.cohort.athlete_means` output (``cohort`` and the metric).
    metric : str
        Column to draw.
    cohort_label : str
        Axis label for the grouping column.
    ax : Axes, optional
        Axes to draw on.
    """
    d = means.dropna(subset=[metric]).astype({"cohort": "string"})
    groups = sorted(d["cohort"].dropna().unique())
    ax = new_axes(ax)
    if summarise:
        return _cohort_boxes(d, groups, metric, cohort_label, ax)
    rng = np.random.default_rng(0)
    with house_style():
        for i, g in enumerate(groups):
            v = d.loc[d["cohort"] == g, metric].to_numpy(dtype=float)
            x = i + rng.uniform(-0.12, 0.12, len(v))
            label = literal(f"{g} (n={len(v)})")
            ax.scatter(x, v, color=series_colour(i), zorder=2, label=label)
            ax.hlines(v.mean(), i - 0.3, i + 0.3, color="black", linewidth=2, zorder=3)
        ax.set_xticks(range(len(groups)), [literal(g) for g in groups])
        ax.set_xlabel(literal(cohort_label))
        ax.set_ylabel(literal(_LABELS.get(metric, metric)))
        what = _LABELS.get(metric, metric).split(" (")[0]
        ax.set_title(title_text(f"{what[:1].upper()}{what[1:]} by {cohort_label}"))
        if not groups:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    return ax


def _cohort_boxes(d: pd.DataFrame, groups: list, metric: str, cohort_label: str, ax: Axes):
    """:func:`plot_cohort_metric` for many athletes: a box per cohort, no dot per athlete."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    with house_style():
        values = [d.loc[d["cohort"] == g, metric].to_numpy(dtype=float) for g in groups]
        if groups:
            parts = ax.boxplot(values, positions=range(len(groups)), widths=0.5,
                               whis=(5, 95), showfliers=False, patch_artist=True,
                               medianprops={"color": "white", "linewidth": 1.5})  # fmt: skip
            for i, box in enumerate(parts["boxes"]):
                box.set(facecolor=series_colour(i), alpha=0.8, edgecolor="black")
            for i, v in enumerate(values):
                ax.hlines(v.mean(), i - 0.3, i + 0.3, color="black", linewidth=2, zorder=3)
            ax.legend(
                handles=[
                    Patch(facecolor="lightgrey", edgecolor="black",
                          label="middle half of the athletes (white line: median)"),
                    Line2D([], [], color="black", lw=1, label="whiskers: 5th to 95th percentile"),
                    Line2D([], [], color="black", lw=2, label="mean"),
                ],
                loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize="small",
                frameon=False,
            )  # fmt: skip
        ax.set_xticks(range(len(groups)),
                      [literal(f"{g}\n(n={len(v)})") for g, v in zip(groups, values, strict=True)])  # fmt: skip
        ax.set_xlabel(literal(cohort_label))
        ax.set_ylabel(literal(_LABELS.get(metric, metric)))
        what = _LABELS.get(metric, metric).split(" (")[0]
        ax.set_title(title_text(f"{what[:1].upper()}{what[1:]} by {cohort_label}"))
        if not groups:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    return ax


def plot_cohort_profiles(
    segments: pd.DataFrame,
    cohort: pd.Series,
    *,
    cohort_label: str = "cohort",
    ax: Axes | None = None,
) -> Axes:
    """Mean segment velocity by cohort (one line per cohort, n races in the legend).

    Parameters
    ----------
    segments : DataFrame
        :func:`analysis.fatigue.segment_table` of one event.
    cohort : Series
        athlete_id -> cohort value.
    """
    seg = segments.dropna(subset=["velocity_ms"]).assign(
        cohort=lambda d: d["athlete_id"].map(cohort)
    )
    ax = new_axes(ax)
    with house_style():
        for i, (g, d) in enumerate(seg.groupby("cohort", sort=True)):
            prof = d.groupby("to_m")["velocity_ms"].mean()
            ax.plot(
                prof.index.to_numpy(dtype=float),
                prof.to_numpy(dtype=float),
                marker="o",
                color=series_colour(i),
                label=literal(f"{g} ({d['race_id'].nunique()} races)"),
            )
        ax.set_xlabel("distance (m), end of segment")
        ax.set_ylabel("mean segment velocity (m/s)")
        ax.set_title(title_text(f"Velocity profile by {cohort_label}"))
        if ax.get_lines():
            ax.legend(fontsize="small")
        else:
            ax.text(0.5, 0.5, "no splits", ha="center", va="center", transform=ax.transAxes)
    return ax
