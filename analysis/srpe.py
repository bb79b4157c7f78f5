"""Session RPE × duration (Foster 2001): reading the columns and the session load.

A training log may carry the athlete's rating of the session (``RPE``, ``Session RPE``,
``sRPE``: the CR-10 scale, 0 to 10) and its length (``Minutes``, ``Session minutes``,
``Duration (min)``; ``60``, ``60 min``, ``1:15`` = 75 min, ``1h30``). A bare ``Duration``
column keeps its meaning in the log grammar (seconds per timed set) and is not a session
length. The log cleaner carries both through as ``rpe`` and ``session_min`` (NA when
absent or unreadable; an unreadable cell is named in ``rejects`` as ``partial``, the entry
kept).

Session load (arbitrary units) = RPE × minutes (Foster et al. 2001). Coaches write the two
values once per session (on its first row, or repeated on every row) or per entry. Per
athlete and day :func:`session_load` reads them so:

- the day has at most one distinct RPE and one distinct minutes value (written once, or
  the same on every row): one session, load = RPE × minutes;
- the day's entries carry different values: each entry with both is its own bout, and the
  load is the sum of their RPE × minutes.

A day with entries but no RPE or no minutes has an unknown load (NA), never 0.

References
----------
Foster C, Florhaug JA, Franklin J, et al. (2001). A new approach to monitoring exercise
training. J Strength Cond Res 15(1):109-115.
"""

from __future__ import annotations

import pandas as pd

from .logs.session_rpe import MAX_SESSION_MIN, SRPE_COLUMNS, parse_minutes, parse_rpe

__all__ = ["MAX_SESSION_MIN", "SRPE_COLUMNS", "parse_minutes", "parse_rpe", "session_load"]


def session_load(log: pd.DataFrame) -> pd.DataFrame:
    """Session RPE load per athlete and logged day (Foster 2001).

    Parameters
    ----------
    log : DataFrame
        Clean training log; ``rpe`` and ``session_min`` are optional (all NA without).

    Returns
    -------
    DataFrame
        One row per athlete and day with any log entry: ``athlete_id, date, rpe`` (the
        session's RPE, NA when entries differ), ``session_min`` (likewise),
        ``srpe_load`` (AU: RPE × minutes as in the module notes; NA when unknown),
        ``srpe_entries`` (entries that carried both values).
    """
    cols = ["athlete_id", "date"]
    log = log.loc[log["athlete_id"].notna() & log["date"].notna()]
    rpe = (
        log["rpe"].astype("Float64")
        if "rpe" in log
        else pd.Series(pd.NA, index=log.index, dtype="Float64")
    )
    mins = (
        log["session_min"].astype("Float64")
        if "session_min" in log
        else pd.Series(pd.NA, index=log.index, dtype="Float64")
    )
    frame = pd.DataFrame(
        {
            "athlete_id": log["athlete_id"].astype("string"),
            "date": log["date"],
            "rpe": rpe,
            "session_min": mins,
            "_both": (rpe * mins),
        }
    )
    g = frame.groupby(cols, sort=True, observed=True)
    day = g.agg(
        n_rpe=("rpe", "nunique"),
        n_min=("session_min", "nunique"),
        rpe=("rpe", "max"),
        session_min=("session_min", "max"),
        per_entry=("_both", "sum"),
        srpe_entries=("_both", "count"),
    ).reset_index()
    single = (day["n_rpe"] <= 1) & (day["n_min"] <= 1)
    load = (day["rpe"] * day["session_min"]).where(single, day["per_entry"])
    load = load.where(~(~single & (day["srpe_entries"] == 0)))
    return pd.DataFrame(
        {
            "athlete_id": day["athlete_id"],
            "date": day["date"],
            "rpe": day["rpe"].where(single).astype("Float64"),
            "session_min": day["session_min"].where(single).astype("Float64"),
            "srpe_load": load.astype("Float64"),
            "srpe_entries": day["srpe_entries"].astype("int64"),
        }
    )
