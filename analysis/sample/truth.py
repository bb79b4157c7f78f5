"""What a synthetic sample was generated from: :class:`Truth`, written to ``truth.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

__all__ = ["Truth"]


@dataclass
class Truth:
    """The parameters a synthetic data set was generated from (written to ``truth.json``).

    Attributes
    ----------
    seed, athletes, window_days
        Generator inputs.
    effect_per_100_reps, effect_200_per_100_reps
        Within-athlete change of the 400 m (200 m) differential, seconds per 100 hip-flexor
        reps in the ``window_days`` days before the race.
    confounder_per_100_reps
        Between-athlete slope of the baseline differential on the athlete's mean volume.
    intercepts, intercepts_200
        Athlete baseline differential α_i (s) for 400 m and 200 m.
    mean_volume
        Athlete mean trailing volume X̄_i over their 400 m races.
    noise_sd
        σ of the race-to-race noise (400 m).
    volume_ramp
        Hip-flexor volume grows by this fraction from the first to the last week.
    season_trend_per_week
        Squad-wide change of the differential per week into the season (s; negative:
        the fade improves for reasons other than hip-flexor work). The 200 m gets 0.4 ×.
    slope_sd, slopes, slopes_200
        SD of the athletes' own slopes around β and each athlete's slope (400 m, 200 m),
        s per 100 reps.
    noise_ar1
        ρ of the AR(1) race noise over each athlete's races in date order.
    races
        One record per clean race: athlete, date, event, volume X, true differential.
    faults
        The deliberate faults: expected rejects and duplicates, by file.
    files
        What the reader must find in each file and sheet read: ``raw_rows``,
        ``data_rows``, ``not_data`` (and ``not_data_rows``: ``[first row, rows, reason]``
        of each title, header, units, summary, heading or blank row), ``rows_read``
        (entries handed to the cleaners) and their ``clean``, ``rejected`` and
        ``duplicates`` (:func:`analysis.sample.cells.file_truth`).
    """

    seed: int
    athletes: int
    window_days: int
    effect_per_100_reps: float
    effect_200_per_100_reps: float
    confounder_per_100_reps: float
    noise_sd: float
    season_start: str
    weeks: int
    intercepts: dict[str, float] = field(default_factory=dict)
    intercepts_200: dict[str, float] = field(default_factory=dict)
    mean_volume: dict[str, float] = field(default_factory=dict)
    volume_ramp: float = 0.0
    season_trend_per_week: float = 0.0
    slope_sd: float = 0.0
    noise_ar1: float = 0.0
    slopes: dict[str, float] = field(default_factory=dict)
    slopes_200: dict[str, float] = field(default_factory=dict)
    races: list[dict] = field(default_factory=list)
    faults: dict = field(default_factory=dict)
    files: list[dict] = field(default_factory=list)
    #: The injury hazard model and the injuries drawn from it (analysis.sample.injuries).
    injury_model: dict = field(default_factory=dict)
    injuries: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        """The truth as pretty, stable JSON."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
