"""Injury figures: the incidence × severity risk matrix, the balance over the season, and
time-loss bars on an athlete's volume chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._style import house_style, new_axes

__all__ = ["mark_time_loss", "plot_balance_season", "plot_risk_matrix"]

_LOCATION_LABEL = {"hamstring": "hamstring", "hip_groin": "hip / groin", "calf": "calf",
                   "achilles": "Achilles", "knee": "knee", "foot_ankle": "foot / ankle",
                   "lower_back": "lower back", "other": "other"}  # fmt: skip


def location_label(loc: object) -> str:
    """A location of the vocabulary as a coach reads it (``hip_groin`` -> ``hip / groin``)."""
    return _LOCATION_LABEL.get(str(loc), str(loc))


def plot_risk_matrix(rates: pd.DataFrame, ax: Axes | None = None, *, per: str = "days") -> Axes:
    """Incidence (y) against severity (x) per location, with lines of equal burden.

    ``rates`` is :func:`analysis.injury_epi.injury_rates` by location, already passed
    through :func:`~analysis.injury_epi.suppress_small_cells`: suppressed rows are not
    drawn (the title says how many). ``per``: ``"days"`` (per 1000 athlete-days) or
    ``"h"`` (per 1000 h).
    """
    ax = new_axes(ax, figsize=(7.0, 4.6))
    col = "per_1000_h" if per == "h" else "per_1000_days"
    unit = "1000 h" if per == "h" else "1000 athlete-days"
    shown = rates[~rates.get("suppressed", False) & rates[col].notna()
                  & rates["mean_days_lost"].notna() & (rates["injuries"].fillna(0) > 0)]  # fmt: skip
    hidden = int(rates.get("suppressed", pd.Series(False)).sum())
    with house_style():
        if shown.empty:
            ax.text(0.5, 0.5, "no location has injuries of enough athletes to show\n"
                    "(privacy rule: at least 3 different athletes)", ha="center", va="center",
                    transform=ax.transAxes)  # fmt: skip
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            x = shown["mean_days_lost"].astype(float).to_numpy()
            y = shown[col].astype(float).to_numpy()
            size = 40 + 30 * shown["injuries"].astype(float).to_numpy()
            ax.scatter(x, y, s=size, color="#c0392b", alpha=0.7, edgecolor="black", zorder=3)
            for xi, yi, loc in zip(x, y, shown["group"], strict=True):
                ax.annotate(location_label(loc), (xi, yi), xytext=(6, 4),
                            textcoords="offset points", fontsize=9)  # fmt: skip
            xmax, ymax = max(x.max() * 1.4, 10), max(y.max() * 1.4, 0.1)
            xs = np.linspace(xmax / 50, xmax, 100)
            for burden in np.quantile(x * y, [0.25, 0.75]) if len(x) > 1 else [x[0] * y[0]]:
                ax.plot(xs, burden / xs, color="grey", lw=0.8, ls="--", zorder=1)
            ax.set_xlim(0, xmax)
            ax.set_ylim(0, ymax)
            ax.set_xlabel("severity: mean days lost per injury (days)")
            ax.set_ylabel(f"incidence: injuries per {unit}")
        more = f"\n{hidden} location(s) not shown (fewer than 3 athletes)" if hidden else ""
        ax.set_title(f"Risk matrix: further up and right = bigger burden{more}", fontsize=10)
    return ax


def plot_balance_season(balance: pd.DataFrame, ax: Axes | None = None, *,
                        min_athletes: int = 5) -> Axes:  # fmt: skip
    """The squad's weekly flexor : extensor ratio over the season: median and middle half.

    Weeks with a ratio for fewer than ``min_athletes`` athletes are left out (no week
    shows one athlete's value). The y axis is logarithmic (2 : 1 and 1 : 2 equally far
    from 1 : 1).
    """
    ax = new_axes(ax, figsize=(8.0, 3.6))
    b = balance[balance["ratio"].notna() & (balance["ratio"] > 0)]
    g = b.groupby("week")["ratio"]
    stats = pd.DataFrame({"n": g.size(), "q25": g.quantile(0.25), "med": g.median(),
                          "q75": g.quantile(0.75)})  # fmt: skip
    stats = stats[stats["n"] >= min_athletes]
    with house_style():
        if stats.empty:
            ax.text(0.5, 0.5, f"too few athletes with both flexor and extensor work in a week "
                    f"(at least {min_athletes} needed)", ha="center", va="center",
                    transform=ax.transAxes, fontsize=9)  # fmt: skip
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            ax.fill_between(stats.index, stats["q25"], stats["q75"], color="#7fb3d5", alpha=0.5,
                            label="middle half of the athletes")  # fmt: skip
            ax.plot(stats.index, stats["med"], color="#1f5fa8", lw=2, label="squad median")
            ax.axhline(1.0, color="grey", lw=0.8, ls="--")
            from matplotlib.ticker import FuncFormatter

            ax.set_yscale("log", base=2)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g} : 1"))
            ax.set_ylabel("flexor : extensor reps (ratio)")
            ax.set_xlabel("week")
            ax.legend(fontsize=8, loc="upper left")
        ax.set_title("Hip-flexor reps per posterior-chain rep, week by week", fontsize=10)
    return ax


def mark_time_loss(ax: Axes, injuries: pd.DataFrame) -> Axes:
    """Shade each injury's time loss (onset to return) on a chart with a date x axis.

    Only dates and days lost are drawn (no location, no note): the caller passes one
    athlete's injuries, on that athlete's own page.
    """
    if injuries is None or injuries.empty:
        return ax
    first = True
    for r in injuries.itertuples(index=False):
        if pd.isna(r.onset_date):
            continue
        end = r.return_date if pd.notna(r.return_date) else r.onset_date + pd.Timedelta(days=1)
        ax.axvspan(r.onset_date, end, color="#c0392b", alpha=0.18, zorder=0,
                   label="time lost to injury" if first else None)  # fmt: skip
        first = False
    if not first:
        handles, labels = ax.get_legend_handles_labels()
        if ax.get_legend() is not None:
            title = ax.get_legend().get_title().get_text()
            ax.legend(handles, labels, title=title or None, fontsize=8, loc="upper left",
                      bbox_to_anchor=(1.0, 1.0))  # fmt: skip
        else:
            ax.legend(handles, labels, fontsize=8, loc="upper left")
    return ax
