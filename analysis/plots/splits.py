"""Figures of race splits: velocity profiles and fatigue over a season."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from matplotlib.axes import Axes

from ._style import REFERENCE_COLOR, house_style, literal, new_axes, series_colour

__all__ = ["plot_fatigue_trend", "plot_velocity_profile"]

_METRIC_LABELS = {
    "differential_s": "second half − first half (s)",
    "velocity_loss_pct": "velocity loss, fastest → last segment (%)",
    "first_half_s": "first half (s)",
    "second_half_s": "second half (s)",
}


def _label(seg: pd.DataFrame, *, athlete: bool = True) -> str:
    row = seg.iloc[0]
    date = row["date"]
    who = f"{row['athlete_id']} " if athlete else ""
    day = "" if pd.isna(date) else f"{pd.Timestamp(date):%Y-%m-%d} "
    return literal(f"{who}{day}({int(row['event_m'])} m, {seg['cum_s'].max():.2f} s)")


def plot_velocity_profile(
    segments: pd.DataFrame,
    *,
    race_ids: Iterable[str] | None = None,
    reference: pd.DataFrame | None = None,
    ax: Axes | None = None,
    show_athlete: bool = True,
) -> Axes:
    """Segment velocity along the race, one line per race, optional world-class reference.

    Parameters
    ----------
    segments : DataFrame
        Long segment table (:func:`analysis.fatigue.segment_table`).
    race_ids : iterable of str, optional
        Races to draw (default all in ``segments``).
    reference : DataFrame, optional
        A segment table of reference races (e.g. ``segment_table(*load_elite_splits())``),
        drawn in grey dashed lines behind the athlete's races; restricted to the events
        drawn.
    ax : Axes, optional
        Axes to draw on; default a new figure in the house style.
    show_athlete : bool, default True
        Name the athlete in each race's legend entry (False in a one-athlete report:
        the date and time say which race it is).

    Returns
    -------
    Axes
        x: distance (m), each point at the end of its segment; y: mean segment velocity
        (m/s). One ``Line2D`` per race, reference lines first.
    """
    seg = segments
    if race_ids is not None:
        seg = seg.loc[seg["race_id"].isin(list(race_ids))]
    seg = seg.dropna(subset=["velocity_ms"]).sort_values(["race_id", "to_m"], kind="stable")
    ax = new_axes(ax)
    with house_style():
        if reference is not None and len(reference):
            ref = reference.dropna(subset=["velocity_ms"])
            if len(seg):
                ref = ref.loc[ref["event_m"].isin(seg["event_m"].unique())]
            for _, r in ref.sort_values(["race_id", "to_m"]).groupby("race_id", sort=False):
                ax.plot(
                    r["to_m"].to_numpy(dtype=float),
                    r["velocity_ms"].to_numpy(dtype=float),
                    linestyle="--",
                    marker=".",
                    color=REFERENCE_COLOR,
                    linewidth=1.2,
                    label=f"ref: {_label(r)}",
                    zorder=1,
                )
        for i, (_, r) in enumerate(seg.groupby("race_id", sort=False)):
            ax.plot(
                r["to_m"].to_numpy(dtype=float),
                r["velocity_ms"].to_numpy(dtype=float),
                marker="o",
                color=series_colour(i),
                linewidth=2,
                label=_label(r, athlete=show_athlete),
                zorder=2,
            )
        if not ax.get_lines():
            ax.text(
                0.5,
                0.5,
                "no splits to draw",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
        ax.set_xlabel("distance (m), end of segment")
        ax.set_ylabel("mean segment velocity (m/s)")
        ax.set_title("Velocity profile: where the race slows down")
        if ax.get_lines():  # below the axes: the lines fill the plot area
            ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return ax


def plot_fatigue_trend(
    metrics: pd.DataFrame,
    metric: str = "differential_s",
    ax: Axes | None = None,
    *,
    bests: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
) -> Axes:
    """A fatigue metric over the season, one line per athlete and event.

    With ``bests`` (races with ``race_id, is_pb, is_sb``, as
    :func:`analysis.season.race_context` gives them), a PB race is ringed with a star and
    an SB race with a diamond.

    Parameters
    ----------
    metrics : DataFrame
        Output of :func:`analysis.fatigue_metrics`.
    metric : str, default "differential_s"
        Column to draw (``differential_s``, ``velocity_loss_pct``, …).
    ax : Axes, optional
        Axes to draw on; default a new figure in the house style.
    names : mapping, optional
        Athlete id -> the name shown in the legend (default the id).

    Returns
    -------
    Axes
        x: race date; y: the metric; races lacking it are left out.
    """
    if metric not in metrics.columns:
        raise KeyError(f"metric {metric!r} not in the metrics table")
    data = metrics.dropna(subset=[metric, "date"]).sort_values("date", kind="stable")
    shown = dict(names or {})

    def who(aid: object) -> str:
        return str(shown.get(str(aid), aid))

    ax = new_axes(ax)
    with house_style():
        groups = data.groupby(["athlete_id", "event_m"], sort=True)
        events = data["event_m"].to_numpy()
        one_event = bool((events == events[0]).all()) if len(events) else True  # legend: ids
        for i, ((aid, ev), g) in enumerate(groups):
            ax.plot(
                g["date"].to_numpy(),
                g[metric].to_numpy(dtype=float),
                marker="o",
                color=series_colour(i),
                label=literal(who(aid) if one_event else f"{who(aid)} — {int(ev)} m"),
            )
        if bests is not None and len(data) and "race_id" in data:
            flags = data.merge(bests[["race_id", "is_pb", "is_sb"]], on="race_id", how="inner")
            for col, marker, label in (("is_pb", "*", "PB"), ("is_sb", "D", "SB (not PB)")):
                sel = flags[col].fillna(False).astype(bool)
                if col == "is_sb":
                    sel &= ~flags["is_pb"].fillna(False).astype(bool)
                if sel.any():
                    ax.scatter(flags.loc[sel, "date"].to_numpy(),
                               flags.loc[sel, metric].to_numpy(dtype=float), marker=marker,
                               s=150 if marker == "*" else 60, facecolor="none",
                               edgecolor="#222222", linewidth=1.2, zorder=5, label=label)  # fmt: skip
        if metric == "differential_s":
            ax.axhline(0, color=REFERENCE_COLOR, linewidth=0.8, zorder=0)
        if not ax.get_lines():
            ax.text(
                0.5,
                0.5,
                "no races with this metric",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
        ax.set_xlabel("race date")
        ax.set_ylabel(literal(_METRIC_LABELS.get(metric, metric)))
        ax.set_title("Fade over the season (lower is less fatigue)")
        if len(data):
            ax.legend(fontsize="small")
            ax.figure.autofmt_xdate()
    return ax
