"""``clean_sprints``: raw result rows to the pinned ``races`` and ``splits`` tables.

Each phase is a named function returning a frozen dataclass: the cells read
(:mod:`analysis.sprints.rows`), the rows rejected (:func:`screen_rows`) and duplicated
(:func:`drop_duplicates`), the splits checked (:func:`check_splits`), the partial rows
(:func:`partial_rejects`), then the two tables (:mod:`analysis.sprints.tables`). The
pinned accepted raw forms are listed in :mod:`analysis.sprints` (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .. import config
from ..schema import RACE_COLUMNS, SPLIT_COLUMNS, concat_rejects, conform, rejects_frame
from .headers import prepare_results, split_column_names
from .limits import SPLIT_TOLERANCE_S
from .rows import (
    Failure,
    FinalTimes,
    OptionalCells,
    RaceKeys,
    first_failure,
    read_finals,
    read_keys,
    read_optional,
)
from .split_checks import CheckedMarks, resolve_marks, validate_marks
from .splits import segment_columns, split_candidates
from .tables import empty_tables, races_table, splits_table

__all__ = [
    "Screened",
    "SplitVerdict",
    "check_splits",
    "clean_sprints",
    "drop_duplicates",
    "partial_rejects",
    "screen_rows",
]


@dataclass(frozen=True)
class Screened:
    """The rows kept after a check, and the reject frames the check wrote (maybe none)."""

    keep: pd.Series
    rejects: tuple[pd.DataFrame, ...]


def screen_rows(df: pd.DataFrame, keys: RaceKeys, finals: FinalTimes) -> Screened:
    """Reject the rows whose athlete, date, event or final time fails (the first reason).

    Parameters
    ----------
    df : DataFrame
        The prepared result frame.
    keys, finals : RaceKeys, FinalTimes
        Its cells read (:func:`~analysis.sprints.rows.read_keys`,
        :func:`~analysis.sprints.rows.read_finals`).

    Returns
    -------
    Screened
        ``keep``: the rows that pass; ``rejects``: one ``rejected`` row per other row.
    """
    checks = [
        ("athlete", keys.athlete_reason, df["athlete"].fillna("")),
        ("date", keys.date_reason, df["date"].fillna("")),
        ("event", keys.event_reason, df["event"].fillna("")),
        ("final", finals.reason, df["final"].fillna("")),
    ]
    fail = first_failure(df.index, checks)
    rejected = fail.reason.notna()
    if not rejected.any():
        return Screened(~rejected, ())
    frame = _race_rejects(df, fail, keys, rejected, "rejected")
    return Screened(~rejected, (frame,))


def _race_rejects(
    df: pd.DataFrame, fail: Failure, keys: RaceKeys, mask: pd.Series, kind: str
) -> pd.DataFrame:
    """One reject row per ``mask``-ed result row: its first failing cell (``fail``)."""
    return rejects_frame(
        df.loc[mask],
        column=fail.column[mask],
        value=fail.value[mask],
        reason=fail.reason[mask],
        table="races",
        kind=kind,
        athlete_id=keys.athlete_id[mask],
    )


def drop_duplicates(
    df: pd.DataFrame, keys: RaceKeys, finals: FinalTimes, keep: pd.Series
) -> Screened:
    """Drop the second sighting of a race among the kept rows (file/row order: first wins).

    The same athlete, date, event, round and final time (or status) is one race; a later
    copy becomes a ``duplicate`` reject whose value names the kept one ("same as
    results.csv row 12").

    Parameters
    ----------
    df : DataFrame
        The prepared result frame.
    keys, finals : RaceKeys, FinalTimes
        Its cells read.
    keep : Series of bool
        The rows kept so far (:attr:`Screened.keep` of :func:`screen_rows`).

    Returns
    -------
    Screened
    """
    key = (
        keys.athlete_id.fillna("")
        + "|"
        + keys.date.dt.strftime("%Y%m%d").astype("string").fillna("")
        + "|"
        + keys.event.astype("string").fillna("")
        + "|"
        + keys.round_key
        + "|"
        + finals.final_s.round(2).astype("string").fillna(finals.status)
    )
    order = df[["source", "source_row"]].assign(_k=key).loc[keep]
    order = order.sort_values(["source", "source_row"], kind="stable")
    dup = order["_k"].duplicated(keep="first")
    if not dup.any():
        return Screened(keep, ())
    first_label = (
        ("same as " + order["source"] + " row " + order["source_row"].astype("string"))
        .groupby(order["_k"])
        .transform("first")
    )
    d = df.loc[dup[dup].index]
    frame = rejects_frame(
        d,
        column=None,
        value=first_label[dup],
        reason="duplicate",
        table="races",
        kind="duplicate",
        athlete_id=keys.athlete_id.loc[d.index],
    )
    return Screened(keep & ~df.index.isin(dup[dup].index), (frame,))


@dataclass(frozen=True)
class SplitVerdict:
    """The splits of the kept, timed races that pass, and why the others' were dropped.

    Attributes
    ----------
    good : DataFrame
        ``row, at_m, cum``: intermediate marks in raw timing.
    column, reason, value : Series
        Per row, the split check that failed first (NA: none), ``splits without final
        time`` for splits on a race without a time.
    """

    good: pd.DataFrame
    column: pd.Series
    reason: pd.Series
    value: pd.Series


def check_splits(
    df: pd.DataFrame, event: pd.Series, finals: FinalTimes, keep: pd.Series
) -> SplitVerdict:
    """Read and check the splits of the kept races (see ``clean_sprints``' Notes).

    Parameters
    ----------
    df : DataFrame
        The prepared result frame.
    event : Series
        :attr:`~analysis.sprints.rows.RaceKeys.event`.
    finals : FinalTimes
        The final times read.
    keep : Series of bool
        The rows kept.

    Returns
    -------
    SplitVerdict
    """
    idx, tol, status = df.index, SPLIT_TOLERANCE_S, finals.status
    ok = keep & (status == "ok")
    split_cols = split_column_names(df.columns)
    any_split = df[["splits", "segments", *split_cols]].notna().any(axis=1)
    no_time_splits = keep & (status != "ok") & any_split
    found = split_candidates(df, idx[ok & any_split])
    marks = segment_columns(
        found.marks, event.astype("float64"), finals.final_raw.astype("float64"), tol
    )
    resolved = resolve_marks(marks, event.astype("Float64"), finals.final_raw, tol)
    checked = (
        validate_marks(resolved.marks, tol)
        if len(resolved.marks)
        else CheckedMarks(resolved.marks, resolved.bad.iloc[0:0])
    )
    bads = (found.bad, resolved.bad, checked.bad)
    split_bad = pd.concat([b for b in bads if len(b)] or [found.bad], ignore_index=True)
    split_bad = split_bad.drop_duplicates("row")
    split_reason = pd.Series(pd.NA, index=idx, dtype="string")
    split_col = pd.Series(pd.NA, index=idx, dtype="string")
    split_val = pd.Series(pd.NA, index=idx, dtype="string")
    if len(split_bad):
        ridx = pd.Index(split_bad["row"].astype("int64"))
        split_reason.loc[ridx] = split_bad["reason"].astype("string").to_numpy()
        split_col.loc[ridx] = split_bad["column"].astype("string").to_numpy()
        split_val.loc[ridx] = split_bad["value"].astype("string").to_numpy()
    return SplitVerdict(
        good=checked.good,
        column=split_col.mask(no_time_splits, "splits"),
        reason=split_reason.mask(no_time_splits, "splits without final time"),
        value=split_val.mask(no_time_splits, status),
    )


def partial_rejects(
    df: pd.DataFrame,
    keys: RaceKeys,
    finals: FinalTimes,
    optional: OptionalCells,
    splits: SplitVerdict,
    keep: pd.Series,
) -> tuple[pd.DataFrame, ...]:
    """One ``partial`` reject per kept row with a doubtful part (splits, wind, reaction, timing).

    Parameters
    ----------
    df : DataFrame
        The prepared result frame.
    keys, finals, optional : RaceKeys, FinalTimes, OptionalCells
        Its cells read.
    splits : SplitVerdict
        Its splits checked.
    keep : Series of bool
        The rows kept.

    Returns
    -------
    tuple of DataFrame
        The reject frame, or nothing when no kept row is partial.
    """
    fail = first_failure(
        df.index,
        [
            (splits.column, splits.reason, splits.value),
            ("wind", optional.wind_reason, df["wind"].fillna("")),
            ("reaction", optional.reaction_reason, df["reaction"].fillna("")),
            ("timing", finals.timing_reason, df["timing"].fillna("")),
        ],
    )
    partial = keep & fail.reason.notna()
    if not partial.any():
        return ()
    frame = _race_rejects(df, fail, keys, partial, "partial")
    return (frame,)


def clean_sprints(
    raw: pd.DataFrame | None,
    roster: pd.DataFrame,
    *,
    dayfirst: bool | None = None,
    today: dt.date | None = None,
    hand_to_fat: Mapping[int, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean raw sprint results into races, splits and rejects.

    Parameters
    ----------
    raw : DataFrame or None
        Result rows, all cells text, with ``source`` and ``source_row`` (as
        :func:`analysis.io.read_raw` gives them). Headers are canonicalised here too
        (idempotent), so a frame straight from a sheet works. ``None``: no result files.
    roster : DataFrame
        The athletes table (:func:`analysis.names.load_roster`).
    dayfirst : bool, optional
        Force day/month order; default inferred per file.
    today : date, optional
        Later dates are rejected (default: today).
    hand_to_fat : mapping of int to float, optional
        Seconds added to hand times per event (``{200: 0.24, 400: 0.14}``); events it
        leaves out keep the setting in effect (:func:`analysis.config.hand_to_fat`:
        :data:`analysis.config.HAND_TO_FAT_S`, or ``$HIPFLEX_HAND_TO_FAT``).

    Returns
    -------
    races : DataFrame
        Pinned ``RACE_COLUMNS`` then ``final_raw_s`` (the time as written, before the hand
        conversion), ``reaction_s``, ``notes`` (the row's notes, after any remark
        written with a status: ``DQ (lane)`` gives status ``DQ`` and notes ``lane``,
        ``DQ R163.3`` notes ``rule R163.3``; or after the marks printed with a time:
        ``48.23 PB`` notes ``PB``) and ``flags`` (those marks, space-separated, e.g.
        ``PB``, ``SB``, ``=PB``, ``Q``, ``q``, ``w``; NA without; see :func:`parse_mark`).
        One row per distinct race. ``status`` is ``ok``,
        ``DNF``, ``DNS`` or ``DQ``; ``final_s`` is NA unless ``ok``. ``timing`` is ``FAT``
        or ``hand``; for ``hand`` rows ``final_s = final_raw_s + hand_to_fat[event]``.
        ``race_id`` is ``<athlete_id>-<yyyymmdd>-<event>-<n>``, ``n`` numbering an
        athlete's races of one event on one day in order of round, time, file and row:
        readable and the same on every run over the same files.
    splits : DataFrame
        Pinned ``SPLIT_COLUMNS``: one row per timing mark of each ``ok`` race, the finish
        included (``cum_s`` at ``at_m = event_m`` equals ``final_s``), sorted by race and
        mark. A race with no usable splits has just its finish row.
    rejects : DataFrame
        ``REJECT_COLUMNS`` with ``table = "races"``.

    Notes
    -----
    **Split forms.** ``split_<m>`` columns hold cumulative times at ``m`` metres. A
    ``splits`` string (``10.9/21.3/32.1``; separators ``/ ; |`` or spaces) holds
    cumulative times at equal intervals: when its last value equals the final (within
    :data:`SPLIT_TOLERANCE_S`) the interval is ``event / n``, otherwise the final is the
    implied last mark and the interval is ``event / (n + 1)`` — ``10.9/21.3/32.1`` in a
    400 m are the 100, 200 and 300 m marks. A ``segments`` string holds ``n`` equal
    segment times of ``event / n`` metres whose sum must equal the final within the
    tolerance. A row uses the first form it fills, in that order.

    **Hand timing.** A hand timer starts the watch late (reacting to the flash/gun) and
    stops it on sight, so every cumulative reading of that watch is short by the same
    start delay. The same offset is therefore added to the final *and* to every
    cumulative split of a hand-timed race: segment times after the first are unchanged,
    and the splits stay consistent with the converted finish.

    **Rejected vs partial.** The race is dropped (``kind="rejected"``) when the athlete
    is missing, unknown or ambiguous, the date is missing/unparseable/out of range, the
    event is missing or not 200/400 m (``unsupported event``, the value names it), the
    time is missing or unparseable (``unparseable time``) or outside
    :data:`PLAUSIBLE_FINAL_S` (``implausible time``). The race is kept and the doubtful
    part dropped (``kind="partial"``, counted clean in the reconciliation) for: splits
    that cannot be parsed, do not fit the event, do not increase, lie beyond or after the
    finish, segments that do not add up, a segment velocity outside
    :data:`SEGMENT_SPEED_MS` (all of a race's splits are dropped together: one bad mark
    makes the others suspect), splits on a race without a time (DNF/DNS/DQ), and an
    unparseable wind, reaction or timing cell (that value becomes NA). One reject row per
    input row: the first failing check. Only splits on ``ok`` races are checked, after
    the race checks pass.

    **Duplicates.** The same athlete, date, event, round and final time (or status) seen
    twice — in two files or one — is kept once; the later copy becomes a ``duplicate``
    reject whose value names the kept one ("same as results.csv row 12").

    Unmarked times are taken as FAT (a ``timing`` cell or trailing ``h`` marks hand
    times). Wind ``NWI`` (no wind information) and empty cells are NA.

    Raises
    ------
    DataError
        A file's dates contradict each other's day/month order (from
        :func:`analysis.dates.parse_dates`).
    """
    if raw is None or len(raw) == 0:
        return empty_tables()
    offsets = config.hand_to_fat(hand_to_fat)
    df = prepare_results(raw)
    keys = read_keys(df, roster, dayfirst=dayfirst, today=today)
    finals = read_finals(df, keys.event, offsets)
    screened = screen_rows(df, keys, finals)
    unique = drop_duplicates(df, keys, finals, screened.keep)
    keep = unique.keep
    optional = read_optional(df, finals.mark_wind)
    split_verdict = check_splits(df, keys.event, finals, keep)
    partial = partial_rejects(df, keys, finals, optional, split_verdict, keep)
    races = races_table(df, keys, finals, optional, keep)
    splits = splits_table(races, split_verdict.good, finals.hand_offset)
    races = conform(races.reset_index(drop=True), RACE_COLUMNS, name="races")
    rejects = concat_rejects(*screened.rejects, *unique.rejects, *partial)
    return races, conform(splits, SPLIT_COLUMNS, name="splits"), rejects
