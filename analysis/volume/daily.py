"""Hip-flexor volume per athlete and day and week, session variety and per-exercise progression.

Only entries of the ``hip_flexor`` family count: mobility and unmapped entries mark a day
as *logged* but add no volume.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = [
    "DAILY_COLUMNS",
    "HF_FAMILY",
    "daily_volume",
    "day_numbers",
    "exercise_progression",
    "require_columns",
    "session_variety",
    "weekly_volume",
]

HF_FAMILY = "hip_flexor"

DAILY_COLUMNS: dict[str, str] = {
    "athlete_id": "string",
    "date": "datetime64[ns]",
    "hf_reps": "float64",
    "hf_load_kg": "float64",
    "sessions": "int64",
    "hf_entries": "int64",
    "logged": "bool",
}


def require_columns(
    log: pd.DataFrame, columns: tuple[str, ...], name: str = "training log"
) -> None:
    """Refuse (:class:`DataError`) a table that lacks any of ``columns``."""
    missing = [c for c in columns if c not in log.columns]
    if missing:
        raise DataError(f"{name} lacks column(s) {missing}")


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 as int64 (dates are normalised to midnight)."""
    return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def daily_volume(log: pd.DataFrame) -> pd.DataFrame:
    """Hip-flexor volume per athlete and calendar day, on a dense, zero-filled calendar.

    Parameters
    ----------
    log : DataFrame
        Clean training log with at least ``athlete_id, date, family, hf_reps,
        hf_load_kg``.

    Returns
    -------
    DataFrame
        One row per athlete and day from that athlete's first to last logged day (any
        family), sorted by ``athlete_id, date``, with columns

        - ``hf_reps`` (float64): hip-flexion repetitions that day (0 on days without any);
        - ``hf_load_kg`` (float64): sum of ``hf_reps × load_kg`` (entries without an
          external load add 0);
        - ``sessions`` (int64): 1 if any hip-flexor work was logged that day, else 0 (a
          log carries dates, not times, so one day holds at most one session);
        - ``hf_entries`` (int64): number of hip-flexor log entries that day;
        - ``logged`` (bool): the athlete logged anything that day (a zero on a day with
          ``logged == False`` is a day nothing was written down, assumed rest).

    Notes
    -----
    Computed without a loop over athletes: athletes are integer-coded, each athlete's day
    range is laid end to end, and daily sums are scattered with ``np.bincount``.
    """
    require_columns(log, ("athlete_id", "date", "family", "hf_reps", "hf_load_kg"))
    log = log.loc[log["athlete_id"].notna() & log["date"].notna()]
    if len(log) == 0:  # np.bincount of nothing would be int64: keep DAILY_COLUMNS dtypes
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in DAILY_COLUMNS.items()})
    codes, athletes = pd.factorize(log["athlete_id"], sort=True)
    day = day_numbers(log["date"])
    n_ath = len(athletes)
    first = np.full(n_ath, np.iinfo(np.int64).max)
    last = np.full(n_ath, np.iinfo(np.int64).min)
    np.minimum.at(first, codes, day)
    np.maximum.at(last, codes, day)
    lengths = last - first + 1
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    total = int(lengths.sum())
    pos = offsets[codes] + (day - first[codes])

    is_hf = (log["family"] == HF_FAMILY).fillna(False).to_numpy(dtype=bool)
    reps = log["hf_reps"].astype("Float64").fillna(0.0).to_numpy(dtype=np.float64)
    load = log["hf_load_kg"].astype("Float64").fillna(0.0).to_numpy(dtype=np.float64)
    hf_reps = np.bincount(pos[is_hf], weights=reps[is_hf], minlength=total)
    hf_load = np.bincount(pos[is_hf], weights=load[is_hf], minlength=total)
    entries = np.bincount(pos[is_hf], minlength=total).astype(np.int64)
    logged = np.bincount(pos, minlength=total) > 0

    ath_rep = np.repeat(np.arange(n_ath), lengths)
    dense_day = first[ath_rep] + (np.arange(total) - offsets[ath_rep])
    return pd.DataFrame(
        {
            "athlete_id": pd.array(np.asarray(athletes, dtype=object)[ath_rep], dtype="string"),
            "date": dense_day.astype("datetime64[D]").astype("datetime64[ns]"),
            "hf_reps": hf_reps,
            "hf_load_kg": hf_load,
            "sessions": (entries > 0).astype(np.int64),
            "hf_entries": entries,
            "logged": logged,
        }
    )


def weekly_volume(log: pd.DataFrame, by_exercise: bool = False, *, ddof: int = 1) -> pd.DataFrame:
    """Hip-flexor volume per athlete and calendar week (weeks start on Monday).

    Parameters
    ----------
    log : DataFrame
        Clean training log.
    by_exercise : bool, default False
        If True, one row per athlete, week and hip-flexor ``exercise`` that was logged
        (``athlete_id, week, exercise, hf_reps, hf_load_kg, hf_entries``), suitable for
        stacked bars. Otherwise one row per athlete and week on the dense calendar of
        :func:`daily_volume`, with Foster's monotony and strain.
    ddof : int, default 1
        Delta degrees of freedom of the daily-load standard deviation in monotony
        (1 = sample SD, the ``acwr`` package's and pandas' default).

    Returns
    -------
    DataFrame
        ``athlete_id, week`` (Monday, datetime64), ``n_days`` (calendar days of the week
        inside the athlete's logged span: fewer than 7 at either end), ``hf_reps``,
        ``hf_load_kg``, ``sessions``, ``hf_entries``, ``days_logged``, ``mean_daily``,
        ``sd_daily``, ``monotony``, ``strain`` (load = daily ``hf_reps``).

    Notes
    -----
    Foster (1998): monotony = mean daily load of the week / SD of daily load (rest days
    count as zeros); strain = weekly load × monotony. A week of identical days has SD 0:
    monotony is ``inf`` (NaN for a week of rest), left as is, as the ``acwr`` package does.
    Partial weeks are reported as they stand; check ``n_days``.

    References
    ----------
    Foster C. (1998). Monitoring training in athletes with reference to overtraining
    syndrome. Med Sci Sports Exerc 30(7):1164-1168.
    """
    if by_exercise:
        require_columns(log, ("athlete_id", "date", "family", "exercise", "hf_reps", "hf_load_kg"))
        hf = log.loc[(log["family"] == HF_FAMILY).fillna(False)]
        week = hf["date"].dt.to_period("W-SUN").dt.start_time.astype("datetime64[ns]")
        return (
            hf.assign(week=week, hf_entries=1)
            .groupby(["athlete_id", "week", "exercise"], sort=True, observed=True)
            .agg(
                hf_reps=("hf_reps", "sum"),
                hf_load_kg=("hf_load_kg", "sum"),
                hf_entries=("hf_entries", "sum"),
            )
            .reset_index()
            .astype({"hf_reps": "float64", "hf_load_kg": "float64", "hf_entries": "int64"})
        )
    daily = daily_volume(log)
    week = daily["date"] - pd.to_timedelta(daily["date"].dt.day_of_week, unit="D")
    grouped = daily.assign(week=week, n_days=1).groupby(["athlete_id", "week"], sort=True)
    out = (
        grouped.agg(
            n_days=("n_days", "sum"),
            hf_reps=("hf_reps", "sum"),
            hf_load_kg=("hf_load_kg", "sum"),
            sessions=("sessions", "sum"),
            hf_entries=("hf_entries", "sum"),
            days_logged=("logged", "sum"),
            mean_daily=("hf_reps", "mean"),
        )
        .assign(sd_daily=grouped["hf_reps"].std(ddof=ddof))
        .reset_index()
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        monotony = out["mean_daily"].to_numpy() / out["sd_daily"].to_numpy()
    return out.assign(
        monotony=monotony,
        strain=out["hf_reps"].to_numpy() * monotony,
        days_logged=out["days_logged"].astype("int64"),
    )


def session_variety(log: pd.DataFrame) -> pd.DataFrame:
    """Per hip-flexor session (athlete and day): how many distinct hip-flexor exercises.

    The article's reader asks whether "three different variations … in one day" helps:
    ``hf_exercises`` is that number (a drill logged twice in a session counts once).

    Returns
    -------
    DataFrame
        ``athlete_id, date, hf_exercises`` (int64), ``hf_reps`` (float64, the session's
        known hip-flexion reps), sorted by athlete and date.
    """
    require_columns(log, ("athlete_id", "date", "family", "exercise", "hf_reps"))
    hf = log.loc[(log["family"] == HF_FAMILY).fillna(False) & log["athlete_id"].notna()]
    out = (
        hf.assign(hf_reps=hf["hf_reps"].astype("Float64").fillna(0.0))
        .groupby(["athlete_id", "date"], sort=True, observed=True)
        .agg(hf_exercises=("exercise", "nunique"), hf_reps=("hf_reps", "sum"))
        .reset_index()
    )
    return out.astype({"hf_exercises": "int64", "hf_reps": "float64"})


def exercise_progression(log: pd.DataFrame) -> pd.DataFrame:
    """Each hip-flexor exercise's weekly volume and its week-to-week ramp.

    Returns
    -------
    DataFrame
        One row per athlete, exercise and week from the exercise's first to last logged
        week (weeks between without it are 0): ``athlete_id, exercise, week`` (Monday),
        ``hf_reps`` and ``ramp_pct`` (change on the week before, percent; NA after a week
        at 0 and in the first week).
    """
    weekly = weekly_volume(log, by_exercise=True)
    if weekly.empty:
        return pd.DataFrame(
            {
                "athlete_id": pd.Series(dtype="string"),
                "exercise": pd.Series(dtype="string"),
                "week": pd.Series(dtype="datetime64[ns]"),
                "hf_reps": pd.Series(dtype="float64"),
                "ramp_pct": pd.Series(dtype="Float64"),
            }
        )
    parts = []
    for (aid, ex), g in weekly.groupby(["athlete_id", "exercise"], sort=True, observed=True):
        weeks = pd.date_range(g["week"].min(), g["week"].max(), freq="7D")
        reps = g.set_index("week")["hf_reps"].reindex(weeks, fill_value=0.0)
        parts.append(
            pd.DataFrame({"athlete_id": aid, "exercise": ex, "week": weeks,
                          "hf_reps": reps.to_numpy(dtype=np.float64)})
        )  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    prev = out.groupby(["athlete_id", "exercise"], sort=False)["hf_reps"].shift(1)
    ramp = ((out["hf_reps"] - prev) / prev * 100).where(prev > 0)
    return out.assign(ramp_pct=pd.array(ramp.to_numpy(), dtype="Float64")).astype(
        {"athlete_id": "string", "exercise": "string"}
    )
