"""Figures for reports and notebooks (matplotlib, object-oriented API only).

Every plotting function takes ``ax=None``, draws on it (or on a new figure), labels axes
with units and returns the Axes. The house style lives in ``hipflex.mplstyle``.
"""

from __future__ import annotations

from ._style import house_style, new_axes

__all__ = ["house_style", "new_axes"]
from .cohorts import plot_cohort_metric, plot_cohort_profiles  # noqa: F401
from .forest import plot_athlete_slopes  # noqa: F401
from .funnel import plot_slope_funnel  # noqa: F401
from .season import plot_plan_adherence, plot_progression, plot_ramp  # noqa: F401
from .splits import plot_fatigue_trend, plot_velocity_profile  # noqa: F401
from .volume import plot_volume_vs_fatigue, plot_weekly_volume  # noqa: F401
