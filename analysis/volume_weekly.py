"""Weekly hip-flexor volume over each athlete's season: :func:`hf_reps_per_week` (the cohort
pages' and the explorer's volume measure).
"""

from __future__ import annotations

import pandas as pd


def hf_reps_per_week(log: pd.DataFrame, races: pd.DataFrame | None = None) -> pd.Series:
    """Hip-flexor reps per calendar week of each athlete's season.

    An athlete's season runs from the Monday-to-Sunday week of their first record to the
    week of their last, both included; a record is a training-log entry or, when ``races``
    is given, a race. Weekly volume = the athlete's hip-flexor reps / those weeks, so a
    week without entries inside the season counts as a week without hip-flexor work, and
    an athlete who logged on a single day has that day's reps as one week's volume (not
    seven times it, as dividing by the logged days would give).

    Parameters
    ----------
    log : DataFrame
        Clean training log (``athlete_id, date, hf_reps``).
    races : DataFrame, optional
        Races (``athlete_id, date``) that extend each athlete's season.

    Returns
    -------
    Series
        ``hf_reps_per_week`` per athlete id (athletes with a training log).
    """
    frames = [log[["athlete_id", "date"]]]
    if races is not None and len(races):
        frames.append(races[["athlete_id", "date"]])
    days = pd.concat([f.astype({"athlete_id": "string"}) for f in frames], ignore_index=True)
    days = days.dropna()
    date = pd.to_datetime(days["date"]).dt.normalize()
    monday = date - pd.to_timedelta(date.dt.day_of_week, unit="D")
    span = monday.groupby(days["athlete_id"]).agg(["min", "max"])
    weeks = (span["max"] - span["min"]).dt.days // 7 + 1
    total = log.groupby(log["athlete_id"].astype("string"))["hf_reps"].sum().astype("float64")
    return (total / weeks.reindex(total.index).astype("float64")).rename("hf_reps_per_week")


__all__ = ["hf_reps_per_week"]
