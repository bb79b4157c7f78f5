"""The squad page past a few dozen athletes (issue 25, "pages that scale").

Up to :data:`analysis.config.SQUAD_SUMMARY_ATHLETES` athletes the squad page draws one
forest-plot row and one table row per athlete. Past it, a page of hundreds of rows is
unreadable, so it summarises: a funnel plot of each athlete's own slope against their
number of races (:func:`analysis.plots.funnel.plot_slope_funnel`), what it shows in a
coach's words under it, and a table of the athletes farthest from the squad only
(:func:`analysis.plots.funnel.funnel_extremes`). Every athlete's row is in the squad
workbook (:func:`athlete_slopes_sheet`, ``OUT/exports/squad.xlsx``).

:class:`analysis.reports.pages.squad.SquadReport` asks this module which to show, so the
notebook calls the same methods whatever the squad's size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import config
from ..outputs import squad_workbook_name
from .display import html_output, paragraph, table_html

__all__ = [
    "FOREST_INTRO",
    "SlopesSection",
    "athlete_slopes_sheet",
    "extremes_table",
    "funnel_intro",
    "funnel_words",
    "summarises",
]

#: What the forest plot shows (the squad page's words, unchanged, up to the threshold).
FOREST_INTRO = (
    "Open circles: each athlete's own races alone (with its 95 % range). Red dots: the "
    "same athlete weighed with the squad (an athlete with few or scattered races is pulled "
    "toward the squad's answer). The shaded band is the squad's 95 % CI."
)

#: Athletes named on each side of the funnel (below and above the squad's slope).
EXTREMES_PER_SIDE = 5


def summarises(n_athletes: int, threshold: int | None = None) -> bool:
    """Whether a page about ``n_athletes`` athletes summarises instead of one row each.

    Parameters
    ----------
    n_athletes : int
        Athletes the figure or table would have a row (or a dot) for.
    threshold : int, optional
        Default :data:`analysis.config.SQUAD_SUMMARY_ATHLETES` (read at call time, so a
        notebook or test may change it).

    Returns
    -------
    bool
        True past the threshold (more than ``threshold`` athletes).
    """
    limit = config.SQUAD_SUMMARY_ATHLETES if threshold is None else int(threshold)
    return int(n_athletes) > limit


def funnel_intro(n_athletes: int) -> str:
    """The section's opening words when the page summarises."""
    return (
        f"With {n_athletes} athletes, one row each would be a page no one can read. Instead, "
        "each event below shows the whole squad at once in a funnel plot, says under it how "
        "to read it, and names the athletes farthest from the squad."
    )


def _outside(slopes: pd.DataFrame, estimate: float) -> tuple[int, int]:
    """(athletes with a slope of their own, of them outside the 95 % lines)."""
    from ...plots.funnel import Z_INNER, funnel_limits

    s, se, n = (slopes[c].to_numpy(dtype=float) for c in ("slope", "se", "n"))
    ok = np.isfinite(s) & np.isfinite(se) & (se > 0) & (n > 1)
    if not ok.any() or not np.isfinite(estimate):
        return int(ok.sum()), 0
    half = funnel_limits(slopes, n[ok], Z_INNER)
    return int(ok.sum()), int((np.abs(s[ok] - estimate) > half).sum())


def funnel_words(slopes: pd.DataFrame, pooled: object, *, workbook: str) -> str:
    """What the funnel plot shows, in a coach's words, with this squad's counts.

    Parameters
    ----------
    slopes : DataFrame
        :func:`analysis.stats.athlete_slopes` of the event.
    pooled : EffectResult
        The squad's estimate.
    workbook : str
        Where every athlete's row is (``exports/squad.xlsx``).
    """
    est = float(getattr(pooled, "estimate", np.nan))
    with_slope, outside = _outside(slopes, est)
    without = len(slopes) - with_slope
    text = (
        "How to read it: each dot is one athlete, their own link between hip-flexor work and "
        "fade from their races alone, placed over the number of races it rests on. The solid "
        "line is the squad's answer, the shaded band its 95 % CI; below 0 means less fade "
        "after more hip-flexor work. The dashed lines mark where 95 of 100 athletes are "
        "expected to fall, allowing for the luck of their races and for the usual "
        "differences between athletes; the dotted lines, 998 of 1000. The funnel is wide on "
        "the left because an athlete with few races is expected to scatter far from the "
        "squad by chance alone: a dot far out there is no reason for concern. A dot outside "
        "the lines, the more so when it rests on many races, is an athlete whose races do "
        "not follow the squad's pattern: worth a look at their training and races, not a "
        "verdict."
    )
    if with_slope == 0:
        return text + " No athlete has enough races (3) for a slope of their own yet."
    if np.isfinite(est):
        chance = 0.05 * with_slope
        text += (
            f" Here {outside} of the {with_slope} athletes with a slope of their own are "
            f"outside the dashed lines; about {chance:.0f} would be by chance alone."
        )
    if without:
        text += (
            f" {without} athlete{'s' * (without != 1)} with fewer than 3 races or no change "
            "in volume between races "
            f"{'have' if without != 1 else 'has'} no slope of their own and no dot."
        )
    return text + (
        f" Every athlete's own slope, and the same weighed with the squad, is in the squad "
        f"workbook ({workbook}, written beside this page by hipflex report)."
    )


#: The side of the squad an extreme athlete is on, in words.
_SIDE = {
    "below": "less fade after more work than the squad",
    "above": "more fade after more work than the squad",
}


def extremes_table(
    slopes: pd.DataFrame,
    pooled: object,
    names: dict,
    *,
    subject: str = "athlete_id",
    k: int = EXTREMES_PER_SIDE,
) -> pd.DataFrame:
    """The athletes the funnel names, as the squad table shows them (empty: none named).

    Columns as :meth:`analysis.reports.pages.squad.SquadReport.slopes_table`, plus where the
    athlete is (``side``) and how far (beyond the 95 % or the 99.8 % line).
    """
    from ...plots.funnel import funnel_extremes

    ext = funnel_extremes(slopes, pooled, subject=subject, k=k)
    return pd.DataFrame(
        {
            "athlete": [f"{names.get(a, a)} ({a})" for a in ext[subject]],
            "races": ext["n"].astype("int64"),
            "own slope (s per 100 reps)": ext["slope"].astype("float64"),
            "pooled toward the squad": ext["shrunk"].astype("float64"),
            "weight of own races (%)": (100 * ext["weight"].astype("float64"))
            .round(0)
            .astype("Int64"),
            "where": [_SIDE[s] for s in ext["side"]],
            "how far": [
                "outside the dotted (99.8 %) lines" if o else "outside the dashed (95 %) lines"
                for o in ext["outside"]
            ],
        }
    )


def athlete_slopes_sheet(
    slopes: pd.DataFrame,
    pooled: object,
    names: dict,
    *,
    event: int,
    window_days: int,
    subject: str = "athlete_id",
) -> pd.DataFrame:
    """Every athlete's row of the squad page, for the squad workbook.

    Returns
    -------
    DataFrame
        One row per athlete with races at ``event``: ``event_m, window_days,
        athlete_id, name, races, own_slope_s_per_100_reps, own_slope_se,
        pooled_slope_s_per_100_reps, pooled_slope_se, weight_of_own_races_pct,
        squad_slope, funnel`` (``inside``, ``outside 95 %``, ``outside 99.8 %`` or
        ``no slope of their own``).
    """
    from ...plots.funnel import Z_INNER, Z_OUTER, funnel_limits

    est = float(getattr(pooled, "estimate", np.nan))
    s, se, n = (slopes[c].to_numpy(dtype=float) for c in ("slope", "se", "n"))
    ok = np.isfinite(s) & np.isfinite(se) & (se > 0) & (n > 1)
    unit = funnel_limits(slopes, n, z=1.0) if np.isfinite(est) else np.full(len(n), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(s - est) / unit
    where = np.select(
        [~ok | ~np.isfinite(z), z > Z_OUTER, z > Z_INNER],
        ["no slope of their own", "outside 99.8 %", "outside 95 %"],
        "inside",
    )
    ids = slopes[subject].astype("string")
    return pd.DataFrame(
        {
            "event_m": np.full(len(slopes), int(event), dtype="int64"),
            "window_days": np.full(len(slopes), int(window_days), dtype="int64"),
            "athlete_id": ids.to_numpy(),
            "name": [names.get(a, pd.NA) for a in ids],
            "races": slopes["n"].astype("int64").to_numpy(),
            "own_slope_s_per_100_reps": s,
            "own_slope_se": se,
            "pooled_slope_s_per_100_reps": slopes["shrunk"].to_numpy(dtype=float),
            "pooled_slope_se": slopes["shrunk_se"].to_numpy(dtype=float),
            "weight_of_own_races_pct": 100 * slopes["weight"].to_numpy(dtype=float),
            "squad_slope": np.full(len(slopes), est),
            "funnel": where,
        }
    ).astype({"athlete_id": "string", "name": "string", "funnel": "string"})


class SlopesSection:
    """The athletes' section of :class:`~analysis.reports.pages.squad.SquadReport` ("Each athlete
    around the squad"): one row per athlete up to :data:`analysis.config.SQUAD_SUMMARY_ATHLETES`
    athletes, the funnel and the named extremes past it. The notebook calls
    :meth:`slopes_intro`, then per event :meth:`plot_slopes` and :meth:`slopes_html`.

    Uses the report's ``ds``, ``events()``, ``effect()``, ``slopes()``, ``slopes_table()``,
    ``plot_forest()`` and ``window_days``.
    """

    def summarised(self, event: int | None = None) -> bool:
        """Whether ``event``'s athletes are too many for one row each (a funnel instead)."""
        return summarises(len(self.slopes(event)))

    @property
    def workbook(self) -> str:
        """Where the squad workbook is, relative to ``OUT/squad.html``."""

        return f"exports/{squad_workbook_name(self.ds)}"

    def slopes_intro(self) -> object:
        """The words opening the athletes' section: what the forest plot shows, or (every
        event summarised) why the page shows a funnel instead."""
        if not all(self.summarised(ev) for ev in self.events()):
            return paragraph(FOREST_INTRO)
        n = max(len(self.slopes(ev)) for ev in self.events())
        return paragraph(funnel_intro(n))

    def plot_slopes(self, event: int | None = None, ax=None):
        """The forest plot (:meth:`plot_forest`) or, past the threshold, the funnel plot of
        each athlete's own slope against their races, the farthest named."""
        ev = event or self.event
        if not self.summarised(ev):
            return self.plot_forest(ev, ax=ax)
        from ...plots import plot_slope_funnel

        names = dict(zip(self.ds.athletes["athlete_id"], self.ds.athletes["name"], strict=True))
        return plot_slope_funnel(
            self.slopes(ev), self.effect(ev), labels=names, ax=ax, k=EXTREMES_PER_SIDE,
            title=f"{ev} m: each athlete's link between hip-flexor work and fade, "
            f"against their races ({self.window_days}-day window)",
        )  # fmt: skip

    def slopes_shown(self, event: int | None = None) -> pd.DataFrame:
        """The table under the figure: every athlete (:meth:`slopes_table`) or, past the
        threshold, only the athletes the funnel names (the rest are in the workbook)."""
        ev = event or self.event
        if not self.summarised(ev):
            return self.slopes_table(ev)
        names = dict(zip(self.ds.athletes["athlete_id"], self.ds.athletes["name"], strict=True))
        return extremes_table(self.slopes(ev), self.effect(ev), names)

    def slopes_html(self, event: int | None = None) -> object:
        """What follows the figure: the table of every athlete or, past the threshold, the
        funnel in words and the athletes it names."""
        ev = event or self.event
        if not self.summarised(ev):
            return table_html(
                self.slopes_table(ev),
                caption=f"{ev} m: each athlete's slope (s per 100 reps; negative = less fade)",
            )
        words = paragraph(funnel_words(self.slopes(ev), self.effect(ev), workbook=self.workbook))
        shown = self.slopes_shown(ev)
        if not len(shown):
            return html_output(words.data)
        n = len(self.slopes(ev))
        table = table_html(
            shown,
            caption=f"{ev} m: the athletes farthest from the squad's slope, of {n} "
            "(s per 100 reps; negative = less fade)",
        )
        return html_output(words.data + table.data)
