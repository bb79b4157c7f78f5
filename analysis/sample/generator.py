"""The whole sample in memory: :func:`generate` (no file is touched).

The simulation (:mod:`analysis.sample.simulate`) gives the plain files and the truth; the
coach's season (:mod:`analysis.sample.season`), the coach layouts
(:mod:`analysis.sample.layouts`), an app export (:mod:`analysis.sample.apps`) and the
injury and S&C logs (:mod:`analysis.sample.injuries`) are added in that order, then the
truth of every file (:func:`analysis.sample.cells.file_truth`).
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from .apps import app_exports
from .cells import file_truth
from .injuries import injury_extras
from .layouts import coach_layouts
from .season import season_extras
from .simulate import simulate
from .truth import Truth

__all__ = ["generate"]


def generate(
    *,
    athletes: int = 12,
    seed: int = 2026,
    effect_per_100_reps: float = -0.08,
    window_days: int = 28,
    season_start: _dt.date | str | None = None,
    weeks: int = 30,
    today: _dt.date | str | None = None,
    confounder_per_100_reps: float = 0.15,
    noise_sd: float = 0.25,
    races_per_athlete: tuple[int, int] = (6, 10),
    volume_ramp: float = 0.6,
    season_trend_per_week: float = -0.02,
    slope_sd: float = 0.05,
    noise_ar1: float = 0.6,
) -> tuple[dict[str, pd.DataFrame | dict[str, pd.DataFrame]], Truth]:
    """Generate the synthetic raw files in memory (pure: no file is touched).

    Parameters
    ----------
    athletes : int, default 12
        Roster size (at least 2).
    seed : int, default 2026
        Seed of the ``numpy.random.Generator``: a seed always gives the same data.
    effect_per_100_reps : float, default -0.08
        β: change of the 400 m differential (s) per 100 hip-flexor reps in the window.
    window_days : int, default 28
        W: the days before race day whose volume drives the effect.
    season_start : date or str, optional
        First training day; default 2026-01-05, moved earlier if the season would end
        after ``today``.
    weeks : int, default 30
        Season length.
    today : date or str, optional
        No date is generated after this (default: the real today).
    confounder_per_100_reps : float, default 0.15
        γ: between-athlete slope of baseline fade on mean volume (see module notes).
    noise_sd : float, default 0.25
        σ of the race-to-race noise of the 400 m differential (s).
    races_per_athlete : (int, int), default (6, 10)
        Inclusive range of races per athlete.
    volume_ramp : float, default 0.6
        Volume is built up over the season: weekly targets grow by this fraction from
        the first week to the last.
    season_trend_per_week : float, default -0.02
        Squad-wide season trend of the 400 m differential (s per week; 0.4 × for 200 m):
        the fade improves as the season goes on, whatever the hip-flexor work.
    slope_sd : float, default 0.05
        Athletes differ: athlete i's slope is β + N(0, slope_sd²) (0.4 × for 200 m).
    noise_ar1 : float, default 0.6
        Race noise is AR(1) over each athlete's races in date order with this ρ.

    Returns
    -------
    frames : dict
        Relative path -> DataFrame of strings (CSV files) or sheet name -> DataFrame
        (workbooks).
    truth : Truth
        The generating parameters and per-race truth.

    Notes
    -----
    The model and its formulas are in the notes of :mod:`analysis.sample`.
    """
    frames, truth, clean = simulate(
        athletes=athletes, seed=seed, effect_per_100_reps=effect_per_100_reps,
        window_days=window_days, season_start=season_start, weeks=weeks, today=today,
        confounder_per_100_reps=confounder_per_100_reps, noise_sd=noise_sd,
        races_per_athlete=races_per_athlete, volume_ramp=volume_ramp,
        season_trend_per_week=season_trend_per_week, slope_sd=slope_sd, noise_ar1=noise_ar1,
    )  # fmt: skip
    frames = season_extras(frames, truth)
    frames = coach_layouts(frames, frames["athletes.csv"], truth.faults)
    frames = app_exports(frames, frames["athletes.csv"], truth.faults)  # a Strong export
    frames = injury_extras(frames, truth, clean, seed=seed)
    truth.files = file_truth(frames, truth.faults)
    return frames, truth
