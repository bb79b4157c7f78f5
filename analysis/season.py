"""Race context: personal and season bests (:func:`race_context`).

Computed from the clean races (``status == "ok"`` with a final time), per athlete and
event, in date order (races of one day in file order: heats before finals as a results
file lists them).

Rules (what every athletics results list means by PB and SB, on the data hipflex has):

- ``pb_s``: the athlete's best time at the event up to and including this race, over every
  earlier race in the data (earlier seasons included). ``is_pb``: this race beat every
  earlier one (strictly faster; equalling it is not a new PB). **The athlete's first race
  at an event in the data is not flagged**: there is nothing earlier to beat, and the data
  rarely hold a whole career.
- ``sb_s`` / ``is_sb``: the same within the season. **A race before the season's first
  does not count**: a season best is a best of this season only, so last season's races
  are ignored. The season's first race at an event is not flagged either (nothing earlier
  this season to beat).
- ``season``: the year the season starts in. Seasons start on the first of
  :data:`analysis.config.SEASON_START_MONTH` (January: the calendar year, as World
  Athletics' lists count it; set 7 or 9 for a southern-hemisphere summer season).

Times are FAT-equivalent (``final_s``: hand times converted, see ``timing``), so a hand
time can be a best; ``timing`` says which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import config

__all__ = ["CONTEXT_COLUMNS", "race_context", "season_of"]

CONTEXT_COLUMNS = ("season", "pb_s", "sb_s", "is_pb", "is_sb")


def season_of(dates: pd.Series, start_month: int | None = None) -> pd.Series:
    """The season (the year it starts in) of each date (Int64, NA for a missing date)."""
    m = config.SEASON_START_MONTH if start_month is None else int(start_month)
    if not 1 <= m <= 12:
        raise ValueError(f"season start month must be 1 to 12, got {m}")
    d = pd.to_datetime(dates)
    year = d.dt.year - (d.dt.month < m).astype("Int64")
    return year.astype("Int64")


def race_context(races: pd.DataFrame, *, start_month: int | None = None) -> pd.DataFrame:
    """Races plus ``season, pb_s, sb_s, is_pb, is_sb`` (see the module notes).

    Parameters
    ----------
    races : DataFrame
        Clean races (``athlete_id, date, event_m, final_s, status`` and ideally
        ``source, source_row``), any order; extra columns are kept.
    start_month : int, optional
        First month of a season (default :data:`analysis.config.SEASON_START_MONTH`).

    Returns
    -------
    DataFrame
        ``races`` (same rows, same order) plus ``season`` (Int64), ``pb_s`` and ``sb_s``
        (Float64: best so far, this race included; NA for a race without a valid time),
        ``is_pb`` and ``is_sb`` (boolean; False for a race without a valid time).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"athlete_id": ["a"] * 3, "event_m": [400] * 3,
    ...                   "date": pd.to_datetime(["2025-06-01", "2026-03-01", "2026-04-01"]),
    ...                   "final_s": [55.0, 56.0, 55.5], "status": ["ok"] * 3})
    >>> race_context(r)[["pb_s", "sb_s", "is_pb", "is_sb"]].to_numpy().tolist()
    [[55.0, 55.0, False, False], [55.0, 56.0, False, False], [55.0, 55.5, False, True]]
    """
    out = races.copy()
    season = season_of(out["date"], start_month)
    t = pd.to_numeric(out["final_s"]).astype("Float64")
    ok = t.notna() & out["date"].notna() & out["athlete_id"].notna() & out["event_m"].notna()
    if "status" in out:
        ok &= out["status"].astype("string").str.lower().eq("ok").fillna(False)
    ok = ok.fillna(False).to_numpy(dtype=bool)
    order_keys = [out["date"]]
    for c in ("source", "source_row"):
        if c in out:
            order_keys.append(out[c])
    frame = pd.DataFrame(
        {
            "a": out["athlete_id"].astype("string"),
            "e": out["event_m"],
            "s": season,
            "t": t.to_numpy(dtype=np.float64, na_value=np.nan),
            "d": out["date"],
            **{f"k{i}": k for i, k in enumerate(order_keys[1:])},
            "pos": np.arange(len(out)),
        }
    ).loc[ok]
    frame = frame.sort_values(["a", "e", "d", *[f"k{i}" for i in range(len(order_keys) - 1)]])
    pb = frame.groupby(["a", "e"], sort=False)["t"].cummin()
    prev_pb = frame.assign(_pb=pb).groupby(["a", "e"], sort=False)["_pb"].shift(1)
    sb = frame.groupby(["a", "e", "s"], sort=False)["t"].cummin()
    prev_sb = frame.assign(_sb=sb).groupby(["a", "e", "s"], sort=False)["_sb"].shift(1)
    n = len(out)
    pb_s = np.full(n, np.nan)
    sb_s = np.full(n, np.nan)
    is_pb = np.zeros(n, dtype=bool)
    is_sb = np.zeros(n, dtype=bool)
    pos = frame["pos"].to_numpy()
    pb_s[pos] = pb.to_numpy()
    sb_s[pos] = sb.to_numpy()
    is_pb[pos] = (frame["t"] < prev_pb).fillna(False).to_numpy(dtype=bool)
    is_sb[pos] = (frame["t"] < prev_sb).fillna(False).to_numpy(dtype=bool)
    return out.assign(
        season=season,
        pb_s=pd.array(pb_s, dtype="Float64"),
        sb_s=pd.array(sb_s, dtype="Float64"),
        is_pb=pd.array(is_pb, dtype="boolean"),
        is_sb=pd.array(is_sb, dtype="boolean"),
    )
