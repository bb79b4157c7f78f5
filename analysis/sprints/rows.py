"""The cells of each result row read, every distinct raw value parsed once.

Three phases of :func:`~analysis.sprints.clean_sprints`: the keys of a race (athlete,
date, event, round: :func:`read_keys`), its final time and timing (:func:`read_finals`),
and the optional cells (wind, reaction: :func:`read_optional`); each returns a frozen
dataclass of Series on the prepared frame's index, a value and a reason (NA: none) per
cell. :func:`first_failure` picks a row's first failing check. The pinned accepted raw
forms are listed in :mod:`analysis.sprints` (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..dates import parse_dates
from ..distinct import map_distinct
from ..names import resolve_athletes
from .limits import MAX_WIND_MS, PLAUSIBLE_FINAL_S
from .marks import Mark, parse_mark
from .race_cells import parse_event, parse_reaction, parse_timing, parse_wind

__all__ = [
    "Failure",
    "FinalTimes",
    "OptionalCells",
    "RaceKeys",
    "first_failure",
    "read_finals",
    "read_keys",
    "read_optional",
]


@dataclass(frozen=True)
class Failure:
    """The first failing check of each row: its column, reason and value (NA: none failed)."""

    column: pd.Series
    reason: pd.Series
    value: pd.Series


def first_failure(
    index: pd.Index, checks: Sequence[tuple[str | pd.Series, pd.Series, pd.Series]]
) -> Failure:
    """The first failing check of each row.

    Parameters
    ----------
    index : Index
        The rows.
    checks : sequence of (column, reason, value)
        In order of precedence: the column checked (a name, or a Series of names), the
        reason per row (NA where the check passes) and the value to report.

    Returns
    -------
    Failure
        String Series on ``index``; NA where every check passes.
    """
    col = pd.Series(pd.NA, index=index, dtype="string")
    reason = pd.Series(pd.NA, index=index, dtype="string")
    value = pd.Series(pd.NA, index=index, dtype="string")
    for c, r, v in checks:
        take = reason.isna() & r.notna()
        if not take.any():
            continue
        reason = reason.mask(take, r.astype("string"))
        cser = c if isinstance(c, pd.Series) else pd.Series(c, index=index, dtype="string")
        col = col.mask(take, cser.astype("string"))
        value = value.mask(take, v.astype("string"))
    return Failure(col, reason, value)


def _pair(
    values: pd.Series,
    parse: Callable[[str], tuple[Any, Any]],
    dtypes: tuple[str, str],
    missing: tuple[Any, Any] = (None, None),
) -> tuple[pd.Series, pd.Series]:
    """Parse each distinct value once: a ``(value, reason)`` pair of Series on the index."""
    codes, parsed = map_distinct(values, parse)
    first = pd.Series([p[0] if p else missing[0] for p in parsed], dtype=dtypes[0]).iloc[codes]
    first.index = values.index
    second = pd.Series([p[1] if p else missing[1] for p in parsed], dtype=dtypes[1]).iloc[codes]
    second.index = values.index
    return first, second


@dataclass(frozen=True)
class RaceKeys:
    """What identifies a race: athlete, date, event and round, with the reasons they fail.

    Attributes
    ----------
    athlete_id, athlete_reason : Series
        The roster id (:func:`analysis.names.resolve_athletes`) or why not.
    date, date_reason : Series
        The date (:func:`analysis.dates.parse_dates`) or why not.
    event, event_reason : Series
        The event in metres (``Int64``) or why not (``missing event`` for an empty cell).
    round_key : Series
        The round, casefolded with spaces collapsed (``""`` when empty): for duplicates
        and the order of a day's races.
    """

    athlete_id: pd.Series
    athlete_reason: pd.Series
    date: pd.Series
    date_reason: pd.Series
    event: pd.Series
    event_reason: pd.Series
    round_key: pd.Series


def read_keys(
    df: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    dayfirst: bool | None = None,
    today: dt.date | None = None,
) -> RaceKeys:
    """Read the athlete, date, event and round of each row.

    Parameters
    ----------
    df : DataFrame
        A prepared result frame (:func:`analysis.sprints.headers.prepare_results`).
    roster : DataFrame
        The athletes table.
    dayfirst : bool, optional
        Force day/month order; default inferred per file.
    today : date, optional
        Later dates are rejected (default: today).

    Returns
    -------
    RaceKeys
    """
    ids, ath_reason = resolve_athletes(df["athlete"], roster)
    dates, date_reason = parse_dates(
        df["date"], sources=df["source"], rows=df["source_row"], dayfirst=dayfirst, today=today
    )
    event, ev_reason = _pair(
        df["event"], parse_event, ("Int64", "string"), missing=(None, "missing event")
    )
    rnd = df["round"].fillna("").str.casefold().str.replace(r"\s+", " ", regex=True)
    return RaceKeys(ids, ath_reason, dates, date_reason, event, ev_reason, rnd)


@dataclass(frozen=True)
class FinalTimes:
    """The final time of each row, its timing and what was printed with it.

    Attributes
    ----------
    final_raw : Series
        Seconds as written (``Float64``), NaN without a time.
    final_s : Series
        FAT-equivalent seconds: ``final_raw + hand_offset``, rounded to 3 places.
    hand_offset : Series
        Seconds added for hand timing (0 for FAT).
    timing, timing_reason : Series
        ``FAT`` or ``hand``; why a ``timing`` cell could not be read.
    status : Series
        ``ok``, ``DNF``, ``DNS`` or ``DQ``.
    reason : Series
        Why the time is rejected (``missing time``, ``unparseable time``, ``negative
        time``, ``implausible time``), NA when it is not.
    flags : Series
        The marks printed with a time (``PB``, ``SB``, ``Q``…), space-separated.
    notes : Series
        The remark after a status or the marks after a time, then the row's own notes.
    mark_wind : Series
        A wind printed with the time (``21.05 (+1.2)``), NA beyond
        :data:`~analysis.sprints.limits.MAX_WIND_MS`.
    """

    final_raw: pd.Series
    final_s: pd.Series
    hand_offset: pd.Series
    timing: pd.Series
    timing_reason: pd.Series
    status: pd.Series
    reason: pd.Series
    flags: pd.Series
    notes: pd.Series
    mark_wind: pd.Series


def _column(marks_u: pd.DataFrame, name: str, codes: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(marks_u[name].to_numpy(object)[codes], index=index, dtype="string")


def read_finals(df: pd.DataFrame, event: pd.Series, offsets: Mapping[int, float]) -> FinalTimes:
    """Read the final time, status, marks and timing of each row.

    Parameters
    ----------
    df : DataFrame
        A prepared result frame.
    event : Series
        Each row's event (``Int64``, :attr:`RaceKeys.event`).
    offsets : mapping of int to float
        Seconds added to a hand time per event (:func:`analysis.config.hand_to_fat`).

    Returns
    -------
    FinalTimes
    """
    idx = df.index
    codes, parsed = map_distinct(df["final"], parse_mark)
    parsed[-1] = Mark(math.nan, False, None, "missing time")
    marks_u = pd.DataFrame.from_records(parsed, columns=Mark._fields)
    p_sec = marks_u["seconds"].to_numpy(dtype="float64")[codes]
    p_hand = marks_u["hand"].to_numpy(dtype=bool)[codes]
    status = _column(marks_u, "status", codes, idx).fillna("ok")
    time_reason = _column(marks_u, "error", codes, idx)
    flags = _column(marks_u, "flags", codes, idx)
    mark_wind = pd.Series(
        pd.to_numeric(marks_u["wind"], errors="coerce").to_numpy("float64")[codes],
        index=idx,
        dtype="Float64",
    )
    mark_wind = mark_wind.where(mark_wind.abs() <= MAX_WIND_MS)
    # a remark after a status ("DQ (lane)", "DQ R163.3") or the marks after a time
    # ("48.23 PB") go to notes, before the row's own notes
    remark = _column(marks_u, "note", codes, idx)
    notes = df["notes"].mask(remark.notna() & df["notes"].notna(), remark + "; " + df["notes"])
    notes = notes.fillna(remark)

    timing_cell, timing_reason = _pair(df["timing"], parse_timing, ("string", "string"))
    hand = pd.Series(p_hand, index=idx) | (timing_cell == "hand").fillna(False)
    timing = pd.Series(np.where(hand, "hand", "FAT"), index=idx, dtype="string")
    final_raw = pd.Series(p_sec, index=idx, dtype="Float64")
    hand_offset = event.map(offsets).astype("Float64").fillna(0.0).where(hand, 0.0)
    final_s = (final_raw + hand_offset).round(3)

    lo = event.map({k: v[0] for k, v in PLAUSIBLE_FINAL_S.items()}).astype("Float64")
    hi = event.map({k: v[1] for k, v in PLAUSIBLE_FINAL_S.items()}).astype("Float64")
    implausible = (final_s < lo) | (final_s > hi)
    time_reason = time_reason.mask(implausible.fillna(False), "implausible time")
    return FinalTimes(
        final_raw=final_raw,
        final_s=final_s,
        hand_offset=hand_offset,
        timing=timing,
        timing_reason=timing_reason,
        status=status,
        reason=time_reason,
        flags=flags,
        notes=notes,
        mark_wind=mark_wind,
    )


@dataclass(frozen=True)
class OptionalCells:
    """Wind and reaction time of each row (NA when empty or unreadable), and why not."""

    wind: pd.Series
    wind_reason: pd.Series
    reaction: pd.Series
    reaction_reason: pd.Series


def read_optional(df: pd.DataFrame, mark_wind: pd.Series) -> OptionalCells:
    """Read the wind and reaction cells; a wind printed with the time fills an empty one.

    Parameters
    ----------
    df : DataFrame
        A prepared result frame.
    mark_wind : Series
        :attr:`FinalTimes.mark_wind`.

    Returns
    -------
    OptionalCells
    """
    wind, wind_reason = _pair(df["wind"], parse_wind, ("Float64", "string"), (np.nan, None))
    # a wind printed with the time ("21.05 (+1.2)") fills an empty wind cell
    wind = wind.fillna(mark_wind.where(df["wind"].isna()))
    reaction, react_reason = _pair(
        df["reaction"], parse_reaction, ("Float64", "string"), (np.nan, None)
    )
    return OptionalCells(wind, wind_reason, reaction, react_reason)
