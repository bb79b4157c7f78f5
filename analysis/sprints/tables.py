"""The two tables ``clean_sprints`` gives: races (one per kept row, with its ``race_id``)
and long splits (each ``ok`` race's marks, the finish included).

The pinned columns are in :mod:`analysis.schema` (docs/architecture.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import RACE_COLUMNS, REJECT_COLUMNS, SPLIT_COLUMNS, conform, empty
from .rows import FinalTimes, OptionalCells, RaceKeys

__all__ = ["empty_tables", "races_table", "splits_table"]


def empty_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Races, splits and rejects of no rows, with their columns and dtypes.

    Returns
    -------
    races, splits, rejects : DataFrame
    """
    races = empty({**RACE_COLUMNS, **_RACE_EXTRA})  # built once (schema.empty), copied
    return races, empty(SPLIT_COLUMNS), empty(REJECT_COLUMNS)


#: The columns a races table has after the pinned ones.
_RACE_EXTRA = {"final_raw_s": "Float64", "reaction_s": "Float64", "notes": "string",
               "flags": "string"}  # fmt: skip


def races_table(
    df: pd.DataFrame,
    keys: RaceKeys,
    finals: FinalTimes,
    optional: OptionalCells,
    keep: pd.Series,
) -> pd.DataFrame:
    """The kept rows as races, sorted, each with its ``race_id`` (index: the frame's rows).

    Parameters
    ----------
    df : DataFrame
        The prepared result frame.
    keys, finals, optional : RaceKeys, FinalTimes, OptionalCells
        Its cells read.
    keep : Series of bool
        The rows kept.

    Returns
    -------
    DataFrame
        The races' columns (not yet conformed), sorted by athlete, date, event, round,
        time, file and row.
    """
    idx, status = df.index, finals.status
    races = pd.DataFrame(
        {
            "race_id": pd.Series(pd.NA, index=idx, dtype="string"),
            "athlete_id": keys.athlete_id,
            "date": keys.date,
            "event_m": keys.event,
            "final_s": finals.final_s.where(status == "ok"),
            "timing": finals.timing,
            "status": status,
            "wind_ms": optional.wind,
            "meet": df["meet"],
            "round": df["round"],
            "source": df["source"],
            "source_row": df["source_row"],
            "final_raw_s": finals.final_raw.where(status == "ok"),
            "reaction_s": optional.reaction,
            "notes": finals.notes,
            "flags": finals.flags,
        },
        index=idx,
    ).loc[keep]
    races = races.assign(_rnd=keys.round_key.loc[races.index]).sort_values(
        ["athlete_id", "date", "event_m", "_rnd", "final_s", "source", "source_row"],
        kind="stable",
        na_position="last",
    )
    n = races.groupby(["athlete_id", "date", "event_m"], sort=False).cumcount() + 1
    races["race_id"] = (
        races["athlete_id"]
        + "-"
        + races["date"].dt.strftime("%Y%m%d").astype("string")
        + "-"
        + races["event_m"].astype("string")
        + "-"
        + n.astype("string")
    )
    return races.drop(columns="_rnd")


def splits_table(races: pd.DataFrame, good: pd.DataFrame, hand_offset: pd.Series) -> pd.DataFrame:
    """The long splits: each ``ok`` race's intermediate marks (hand offset added), its finish.

    Parameters
    ----------
    races : DataFrame
        :func:`races_table` (indexed by the frame's rows).
    good : DataFrame
        :attr:`analysis.sprints.clean.SplitVerdict.good`.
    hand_offset : Series
        :attr:`~analysis.sprints.rows.FinalTimes.hand_offset`.

    Returns
    -------
    DataFrame
        ``SPLIT_COLUMNS``, sorted by race and mark.
    """
    rid = races["race_id"]
    okr = races.loc[races["status"] == "ok"]
    inter = good.loc[good["row"].isin(okr.index)] if len(good) else good
    if len(inter):
        rows = inter["row"].astype("int64")
        off = hand_offset.reindex(rows).to_numpy(dtype="float64")
        inter_df = pd.DataFrame(
            {
                "race_id": rid.reindex(rows).to_numpy(),
                "at_m": inter["at_m"].to_numpy(dtype="int64"),
                "cum_s": np.round(inter["cum"].to_numpy(dtype="float64") + off, 3),
            }
        )
    else:
        inter_df = empty(SPLIT_COLUMNS)
    finish = pd.DataFrame(
        {"race_id": okr["race_id"], "at_m": okr["event_m"], "cum_s": okr["final_s"]}
    )
    splits = pd.concat(
        [conform(inter_df, SPLIT_COLUMNS), conform(finish, SPLIT_COLUMNS)], ignore_index=True
    )
    return splits.sort_values(["race_id", "at_m"], kind="stable").reset_index(drop=True)
