"""The training-log cleaner, :func:`clean_training_log`, phase by phase.

The columns are parsed once per distinct value (:mod:`analysis.logs.parsers`), each
distinct entry is counted once (:mod:`analysis.logs.entries`), the rejects are built on
the side (:mod:`analysis.logs.rejects`), and the clean table is one gather per column
(:mod:`analysis.logs.columnar`). On a large log the parsers, the rejects and the columns
run on a thread pool (NumPy gathers and Arrow takes release the GIL).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog import load_catalog
from ..distinct import distinct_codes
from ..errors import DataError, DataWarning
from ..io import LOG_SYNONYMS, canonicalize_columns
from ..schema import (
    LOG_COLUMNS,
    LOG_OPTIONAL_COLUMNS,
    REJECT_COLUMNS,
    concat_rejects,
    empty,
    text_rank,
)
from .columnar import rows_in_file_order, sort_order, sort_rows, text_column
from .entries import Entries, cross_file_duplicates, first_failure, log_entries
from .parsers import (
    PRESCRIPTION_COLUMNS,
    AthleteCodes,
    DateCodes,
    ExerciseCodes,
    Origin,
    PrescriptionCodes,
    athlete_codes,
    date_codes,
    exercise_codes,
    prescription_codes,
    row_origin,
)
from .rejects import log_rejects
from .session_rpe import carry_columns

__all__ = ["clean_training_log"]

_EXTRA_COLUMNS = {"load_kind": "string", **LOG_OPTIONAL_COLUMNS}


def _empty_log() -> pd.DataFrame:
    return empty({**LOG_COLUMNS, **_EXTRA_COLUMNS})  # typed by the schema: conform changes nothing


class _Inline:
    """An executor that runs each task at once (for small logs, where threads cost more)."""

    def submit(self, fn: Callable[..., object], /, *args: object, **kwargs: object) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # re-raised by future.result(), as a pool would
            future.set_exception(exc)
        return future


def _executor(n_rows: int) -> contextlib.AbstractContextManager:
    """A thread pool for a large log (NumPy gathers and Arrow takes release the GIL)."""
    if n_rows >= 100_000 and (os.cpu_count() or 1) > 1:
        return ThreadPoolExecutor(os.cpu_count())
    return contextlib.nullcontext(_Inline())


@dataclass(frozen=True)
class _Parsed:
    """The four parsed columns of the log."""

    athletes: AthleteCodes
    dates: DateCodes
    exercises: ExerciseCodes
    prescriptions: PrescriptionCodes


def clean_training_log(
    raw: pd.DataFrame | None,
    roster: pd.DataFrame,
    catalog: pd.DataFrame | None = None,
    *,
    dayfirst: bool | None = None,
    today=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean raw training-log rows into the pinned training-log table and rejects.

    Parameters
    ----------
    raw : DataFrame or None
        Log rows, cells as text, with ``source`` and ``source_row`` (as
        :func:`analysis.io.read_raw` gives them; when absent, ``source`` is ``<data>`` and
        rows are numbered from 2). Headers are canonicalised here too (idempotent).
        ``None``: no log files, empty tables.
    roster : DataFrame
        The athletes table (:func:`analysis.names.load_roster`).
    catalog : DataFrame, optional
        The exercise catalog (:func:`analysis.catalog.load_catalog`); default the project's.
    dayfirst : bool, optional
        Force day/month order; default inferred per file.
    today : date, optional
        Later dates are rejected (default: today).

    Returns
    -------
    clean : DataFrame
        Pinned ``LOG_COLUMNS`` then ``load_kind`` (``kg``, ``bodyweight``, ``band`` or NA),
        ``rpe`` and ``session_min`` (session RPE and minutes, NA when the log has no such
        column; :mod:`analysis.srpe`).
        Sorted by athlete, date, file and row.
    rejects : DataFrame
        ``REJECT_COLUMNS`` with ``table = "log"``.

    Raises
    ------
    DataError
        The log lacks an athlete, date or exercise column, or any prescription column; or a
        file's dates contradict each other's day/month order.

    Notes
    -----
    ``hf_reps`` (hip-flexion repetitions) of a ``hip_flexor`` entry is
    ``sets × reps``, ``sets × distance_m × reps_per_m`` for distance drills or
    ``sets × duration_s × reps_per_s`` for timed sets (catalog factors), doubled when the
    entry is logged per leg. A bilateral rep (a leg raise) counts once. ``mobility`` and
    ``unmapped`` entries count 0. ``hf_load_kg = hf_reps × load_kg``: 0 for body weight
    and for non-hip-flexor entries, missing for a band or an unstated load. ``reps`` is
    reps per set (the mean when the sets differ).

    Plausibility (rejects): 1 to :data:`MAX_SETS` sets, more than 0 and at most
    :data:`MAX_REPS_PER_SET` reps per set, at most :data:`MAX_DISTANCE_M` m or
    :data:`MAX_DURATION_S` s per set, a load between 0 and :data:`MAX_LOAD_KG` kg; dates
    from 1950 to ``today``.

    A hip-flexor distance or timed entry whose catalog row lacks the factor keeps
    ``hf_reps`` missing and is named in rejects as ``partial``. A mobility or unmapped entry
    with no prescription is kept (its volume is irrelevant to ``hf_reps``).

    The same entry (athlete, date, exercise and parsed prescription) found in a second
    *file* is counted once: the later copy is a ``duplicate`` reject naming the kept one.
    Repeats within one file are kept (a drill done twice in a session).
    """
    if raw is None:
        return _empty_log(), empty(REJECT_COLUMNS)
    if catalog is None:
        catalog = load_catalog()
    df = _checked_log(raw)
    if len(df) == 0:
        return _empty_log(), empty(REJECT_COLUMNS)
    origin = row_origin(df)
    with _executor(len(df)) as pool:
        parsed = _parse_columns(pool, df, roster, catalog, origin, dayfirst, today)
        entries = log_entries(parsed.prescriptions, parsed.exercises)
        stage = first_failure(entries, parsed.athletes, parsed.dates)
        duplicates = cross_file_duplicates(
            stage, entries, parsed.athletes, parsed.dates, parsed.exercises, origin
        )
        rejects = pool.submit(
            log_rejects,
            df,
            stage=stage,
            duplicates=duplicates,
            entries=entries,
            origin=origin,
            athletes=parsed.athletes,
            dates=parsed.dates,
            exercises=parsed.exercises,
            prescriptions=parsed.prescriptions,
        )
        order = _clean_order(parsed, origin, duplicates.kept)
        columns = _clean_columns(pool, df, order, parsed, entries, origin)
        srpe, srpe_rej = carry_columns(df, order, columns["athlete_id"])
        out = pd.DataFrame({**columns, **srpe}, copy=False)  # new arrays: no second copy
        rejected = rejects.result()
        return out, concat_rejects(rejected, srpe_rej) if len(srpe_rej) else rejected


def _checked_log(raw: pd.DataFrame) -> pd.DataFrame:
    """The raw log with canonical headers and a ``load`` column for pounds; refused
    (:class:`DataError`) without an athlete, date, exercise or prescription column, and
    a :class:`DataWarning` naming the columns it does not read."""
    df = _pounds_column(canonicalize_columns(raw, LOG_SYNONYMS).reset_index(drop=True))
    first_source = str(df["source"].iloc[0]) if "source" in df and len(df) else "<data>"
    missing = [c for c in ("athlete", "date", "exercise") if c not in df.columns]
    if missing:
        raise DataError(f"training log lacks a {missing[0]!r} column", file=first_source)
    if not any(c in df.columns for c in PRESCRIPTION_COLUMNS):
        raise DataError(
            "training log lacks a prescription column (Sets x Reps, Sets/Reps, Distance...)",
            file=first_source,
        )
    unused = [c for c in df.columns if c not in LOG_SYNONYMS and c not in ("source", "source_row")]
    if unused:
        warnings.warn(
            f"training-log column(s) {', '.join(map(repr, unused))} not used (hipflex reads "
            "athlete, date, exercise, prescription or sets/reps/distance/duration/load, notes, RPE, minutes)",
            DataWarning,
            stacklevel=3,  # the caller of clean_training_log
        )
    return df


def _parse_columns(
    pool: ThreadPoolExecutor | _Inline,
    df: pd.DataFrame,
    roster: pd.DataFrame,
    catalog: pd.DataFrame,
    origin: Origin,
    dayfirst: bool | None,
    today: object,
) -> _Parsed:
    """The four columns, parsed on the pool for a large log (each parser runs on the
    distinct values, the row work in NumPy)."""
    athletes = pool.submit(athlete_codes, df["athlete"], roster)
    dates = pool.submit(date_codes, df["date"], origin, dayfirst, today)
    exercises = pool.submit(exercise_codes, df["exercise"], catalog)
    prescriptions = pool.submit(
        prescription_codes, {c: df[c] for c in PRESCRIPTION_COLUMNS if c in df.columns}
    )
    return _Parsed(athletes.result(), dates.result(), exercises.result(), prescriptions.result())


def _clean_order(parsed: _Parsed, origin: Origin, kept: np.ndarray) -> np.ndarray:
    """The kept rows by athlete, date, file, then row.

    Athlete rank and day are properties of the distinct spellings, so the sort key is
    packed from two small tables.
    """
    ath, dates = parsed.athletes, parsed.dates
    date_bad_u = dates.bad
    day_u = np.where(date_bad_u, 0, dates.day.astype("datetime64[D]").astype(np.int64))
    day_u = day_u - (day_u[~date_bad_u].min() if (~date_bad_u).any() else 0)
    day_u[date_bad_u] = 0
    rank_u = np.append(ath.rank, 0)[ath.id_code].astype(np.int32)
    keys = [(rank_u, ath.code), (day_u.astype(np.int32), dates.pair)]
    if not origin.one_file:
        keys.append((text_rank(origin.files), origin.file_code))
    if rows_in_file_order(origin.file_code, origin.row):
        return sort_rows(kept, *keys)  # a stable sort keeps file order
    row_key = origin.row[kept] + 1
    return kept[sort_order(*(table[codes[kept]] for table, codes in keys), row_key)]


def _clean_columns(
    pool: ThreadPoolExecutor | _Inline,
    df: pd.DataFrame,
    order: np.ndarray,
    parsed: _Parsed,
    entries: Entries,
    origin: Origin,
) -> dict[str, object]:
    """The clean table's columns, each one gather from a small table.

    The gathers release the GIL, so a large log builds its columns on threads.
    """
    eo = entries.code[order]  # one index for every column derived from the entry
    e_ex = entries.exercise
    ath, ex = parsed.athletes, parsed.exercises
    row, src_u, src_code = origin.row, origin.files, origin.file_code

    def floats(values: np.ndarray) -> Callable[[], pd.arrays.FloatingArray]:
        return lambda: pd.arrays.FloatingArray(values.take(eo), np.isnan(values).take(eo))

    def texts(values: np.ndarray) -> Callable[[], pd.Series]:
        return lambda: text_column(np.asarray(values, dtype=object), eo)

    def row_numbers() -> pd.arrays.IntegerArray:
        row_o = row[order]
        return pd.arrays.IntegerArray(row_o, row_o < 0)

    sets = entries.sets
    tasks = {
        "athlete_id": lambda: text_column(np.append(ath.ids, None)[ath.id_code], ath.code[order]),
        "date": lambda: parsed.dates.day[parsed.dates.pair[order]],
        "exercise": texts(np.append(ex.ids, None)[ex.id_code[e_ex]]),
        "family": texts(np.append(ex.families, None)[ex.family_code[e_ex]]),
        "sets": lambda: pd.arrays.IntegerArray(
            np.nan_to_num(sets).astype(np.int64).take(eo), np.isnan(sets).take(eo)
        ),
        "reps": floats(entries.reps),
        "distance_m": floats(entries.distance_m),
        "duration_s": floats(entries.duration_s),
        "load_kg": floats(entries.load_kg),
        "per_leg": lambda: pd.arrays.BooleanArray(
            entries.per_leg.take(eo), np.zeros(len(eo), bool)
        ),
        "hf_reps": floats(entries.hf_reps),
        "hf_load_kg": floats(entries.hf_load_kg),
        "source": lambda: text_column(src_u, src_code[order]),
        "source_row": row_numbers,
        "exercise_raw": texts(np.append(ex.distinct, None)[e_ex]),
        "notes": lambda: _notes(df, order),
        "load_kind": texts(np.append(entries.load_kinds, None)[entries.load_kind]),
    }
    # the text columns cost most: started first, the threads finish together
    heavy = ("exercise_raw", "notes", "exercise", "family", "load_kind", "athlete_id")
    futures = {name: pool.submit(tasks[name]) for name in dict.fromkeys((*heavy, *tasks))}
    return {name: futures[name].result() for name in tasks}


def _notes(df: pd.DataFrame, order: np.ndarray) -> pd.Series:
    """The ``notes`` column of the rows in ``order`` (all NA when the log has none)."""
    if "notes" not in df:
        return pd.Series(pd.NA, index=range(len(order)), dtype="string")
    codes, distinct = distinct_codes(df["notes"])
    return text_column(distinct, codes[order])


def _pounds_column(df: pd.DataFrame) -> pd.DataFrame:
    """A ``Weight (lbs)`` column becomes the ``load`` column, its bare numbers in pounds.

    Where a sheet has both a load column and a pounds column, the load column wins for
    the rows where it has a value.
    """
    if "load_lb" not in df.columns:
        return df
    codes, distinct = distinct_codes(df["load_lb"])
    text = pd.Series(distinct, dtype="string")
    bare = text.str.fullmatch(r"\d+(?:[.,]\d+)?").fillna(False)
    text = text.mask(bare, text.str.replace(",", ".", regex=False) + " lb")
    lb = text_column(text.to_numpy(dtype=object, na_value=None), codes)
    lb.index = df.index
    if "load" in df.columns:
        lb = df["load"].astype("string").fillna(lb)
    return df.drop(columns="load_lb").assign(load=lb)
