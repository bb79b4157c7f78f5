"""Clean coaches' training logs into the pinned training-log table: :func:`clean_training_log`.

Every raw row ends in exactly one place: the clean table, or ``rejects`` as ``rejected``
(with the first reason found, in the order athlete, date, exercise, prescription,
plausibility) or as ``duplicate`` (the same entry already taken from another file).
Rows kept with one doubtful derived value are also named in ``rejects`` as ``partial``.

How it stays fast: coach logs repeat a handful of spellings millions of times, so every
column is factorised once (or comes dictionary-encoded from
:func:`analysis.io.read_raw` with ``categorical=True``, as :func:`analysis.load_dataset`
reads it) and each parser (names, dates per file, exercises, prescription combinations,
plausibility) runs on the distinct values only. Everything an entry's text decides
(catalog id, family, parsed prescription, ``hf_reps``, what is wrong with it) is computed
once per distinct (prescription, exercise) pair. Row-level work is integer arithmetic on
the codes and one gather per output column; text is materialised once, at the end, from
the distinct values. On a large log the four parsers, the rejects and the columns run on
a thread pool (NumPy gathers and Arrow takes release the GIL).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .catalog import load_catalog, match_exercises
from .dates import parse_dates
from .distinct import distinct_codes
from .errors import DataError, DataWarning
from .io import LOG_SYNONYMS, canonicalize_columns
from .names import resolve_athletes
from .prescription import parse_entry_codes
from .schema import (
    LOG_COLUMNS,
    LOG_OPTIONAL_COLUMNS,
    REJECT_COLUMNS,
    concat_rejects,
    conform,
    empty,
    text_rank,
)
from .srpe import carry_columns

#: Plausibility limits of one log entry; beyond them the row is rejected as implausible.
MAX_SETS = 20
MAX_REPS_PER_SET = 100
MAX_DISTANCE_M = 400.0
MAX_DURATION_S = 900.0
MAX_LOAD_KG = 250.0

#: Arrow allocates the clean table's text with the C allocator rather than its default
#: pool (mimalloc): in a fresh process that measured faster (benchmarks/clean_log.py),
#: the C allocator handing back memory the CSV reader has just freed.
_POOL = pa.system_memory_pool()

PRESCRIPTION_COLUMNS = ("prescription", "sets", "reps", "distance", "duration", "load")
_EXTRA_COLUMNS = {"load_kind": "string", **LOG_OPTIONAL_COLUMNS}


def _empty_log() -> pd.DataFrame:
    return conform(empty({**LOG_COLUMNS, **_EXTRA_COLUMNS}), LOG_COLUMNS, name="training log")


def _strings(values: np.ndarray, codes: np.ndarray) -> pd.Series:
    """``values[codes]`` as a pandas ``string`` Series (code -1 or a ``None`` value -> NA).

    Built from the few distinct values without Python per row: one Arrow ``take``, or,
    when every value has the same length in bytes (athlete ids like ``A017``, the file
    name of a one-file log), a NumPy gather of fixed-width bytes (several times faster).
    """
    encoded = [None if v is None else str(v).encode("utf-8") for v in values]
    widths = {len(e) for e in encoded if e is not None}
    if len(widths) == 1 and (width := widths.pop()) > 0:
        return pd.Series(pd.arrays.ArrowStringArray(_fixed_width(encoded, width, codes)))
    dictionary = pa.array([*values, None], type=pa.large_string())
    if len(codes) and codes.min() < 0:
        codes = np.where(codes < 0, len(values), codes)  # the null slot
    return pd.Series(pd.arrays.ArrowStringArray(pc.take(dictionary, codes, memory_pool=_POOL)))


def _fixed_width(encoded: list[bytes | None], width: int, codes: np.ndarray) -> pa.Array:
    """``encoded[codes]`` as an Arrow ``large_string`` array, all values ``width`` bytes long.

    The data buffer is one NumPy gather of ``width``-byte rows and the offsets a range;
    a null takes ``width`` bytes too (Arrow allows any length under a null).
    """
    pad = b"\0" * width
    n = len(codes)
    valid = np.append([e is not None for e in encoded], False)[codes]
    nulls = n - int(np.count_nonzero(valid))
    if len(encoded) == 1:  # one value (the file name): the same bytes n times
        data = np.empty((n, width), dtype=np.uint8)
        data[:] = np.frombuffer(encoded[0] or pad, dtype=np.uint8)
    else:  # rows of a (values x width) byte table; code -1: the last (null) slot
        table = np.frombuffer(b"".join([e or pad for e in encoded] + [pad]), dtype=np.uint8)
        data = np.take(table.reshape(-1, width), codes, axis=0)
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap, nulls
    )


def first_index(codes: np.ndarray) -> np.ndarray:
    """Row of the first occurrence of each code ``0..k-1`` (O(n), no sort)."""
    k = int(codes.max()) + 1 if len(codes) else 0
    first = np.empty(k, dtype=np.int64)
    rows = np.arange(len(codes), dtype=np.int32 if len(codes) < 2**31 else np.int64)
    first[codes[::-1]] = rows[::-1]  # the last write per code is its smallest row
    return first


def sort_order(*keys: np.ndarray) -> np.ndarray:
    """Stable order of rows by non-negative integer keys, the most significant first.

    The keys are packed into one unsigned integer (32 bits when they fit, else 64) and
    sorted in 16-bit digits with NumPy's stable sort, a radix sort for 16-bit integers
    (O(n) per digit): several times faster than ``np.lexsort`` on a million rows. Keys
    that need more than 64 bits together fall back to ``np.lexsort``.
    """
    n = len(keys[0])
    bits = [max(int(k.max()), 1).bit_length() if n else 1 for k in keys]
    total = sum(bits)
    if total > 64:
        return np.lexsort(keys[::-1])
    kind = np.uint32 if total <= 32 else np.uint64
    packed = np.zeros(n, dtype=kind)
    for k, b in zip(keys, bits, strict=True):
        packed = (packed << kind(b)) | k.astype(kind)
    order = np.argsort((packed & kind(0xFFFF)).astype(np.uint16), kind="stable")
    for shift in range(16, total, 16):
        digit = ((packed[order] >> kind(shift)) & kind(0xFFFF)).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
    return order


def _rows_in_file_order(src: np.ndarray, row: np.ndarray) -> bool:
    """Do the rows of each file come in ascending row order, each file in one block?"""
    if len(src) < 2:
        return True
    rising = row[1:] > row[:-1]
    if src.min() == src.max():
        return bool(rising.all())
    same = src[1:] == src[:-1]
    blocks = int((~same).sum()) + 1
    return blocks == np.count_nonzero(np.bincount(src)) and bool(rising[same].all())


def _refactor(*arrays: np.ndarray) -> np.ndarray:
    """One code per distinct tuple of aligned integer arrays (order of first appearance)."""
    out = np.zeros(len(arrays[0]), dtype=np.int64)
    for a in arrays:
        codes, uniques = pd.factorize(a)
        out, _ = pd.factorize(out * (len(uniques) + 1) + codes)
        out = out.astype(np.int64)
    return out


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


def _pair_codes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense codes ``0..k-1`` of the distinct pairs of two integer code arrays (codes >= -1).

    The pair space of coach-log codes is small (a few thousand), so the pairs are
    renumbered through a table over it rather than hashed.
    """
    width = int(b.max(initial=-1)) + 2
    if len(a) and a.min() == a.max():  # one value of a (one file): the codes of b
        key, size = b.astype(np.int64) + 1, width
    else:
        key = (a.astype(np.int64) + 1) * width + (b + 1)
        size = (int(a.max(initial=-1)) + 2) * width
    if size > 4 * len(key) + (1 << 20):
        return pd.factorize(key)[0].astype(np.int32)
    present = np.zeros(size, dtype=bool)
    present[key] = True
    remap = (np.cumsum(present, dtype=np.int64) - 1).astype(np.int32)
    return remap[key]


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
            stacklevel=2,
        )
    if len(df) == 0:
        return _empty_log(), empty(REJECT_COLUMNS)
    n = len(df)
    if "source" in df:
        src_code, src_u = distinct_codes(df["source"])
        if (src_code < 0).any():
            src_u = np.append(src_u, "<data>")
            src_code = np.where(src_code < 0, len(src_u) - 1, src_code)
    else:
        src_code, src_u = np.zeros(n, dtype=np.int32), np.array(["<data>"], dtype=object)
    if "source_row" in df:
        rows = df["source_row"]
        if not pd.api.types.is_integer_dtype(rows.dtype):
            rows = pd.to_numeric(rows, errors="coerce").round().astype("Int64")
        row = rows.to_numpy(dtype=np.int64, na_value=-1)
    else:
        row = np.arange(2, n + 2, dtype=np.int64)
    one_file = len(src_u) == 1

    # The four columns are parsed on a thread pool for a large log (each parser runs on
    # the distinct values, the row work in NumPy); rejects, order and columns follow on it.
    with _executor(n) as pool:
        athletes = pool.submit(_athletes, df["athlete"], roster)
        dates = pool.submit(_dates, df["date"], src_code, src_u, row, dayfirst, today)
        exercises = pool.submit(_exercises, df["exercise"], catalog)
        prescriptions = pool.submit(
            _prescriptions, {c: df[c] for c in PRESCRIPTION_COLUMNS if c in df.columns}
        )
        ath_code, ath_u, id_code_u, id_cats, id_rank, why_u, ath_bad_u = athletes.result()
        date_code, date_u, pair, d_ns_u, d_why_u, date_bad_u = dates.result()
        (ex_code, ex_u, ex_cats, exid_u, fam_u, fam_cats, is_hf_u, rpm_u, rps_u,
         ex_key_u) = exercises.result()  # fmt: skip
        combo, pt, p_err, p_col, ok_u, absent_u = prescriptions.result()

        # ---------------------------------------------------------------- entries
        # Everything the clean table derives from an entry's text (catalog id, family, parsed
        # prescription, volume, what is wrong with it) depends on the pair (prescription
        # combination, exercise spelling) alone: it is computed once per distinct pair, and
        # rows take it by one code.
        entry = _pair_codes(combo, ex_code)
        first_e = first_index(entry)
        e_co, e_ex = combo[first_e], ex_code[first_e]
        e_absent = absent_u[e_co]
        e_hf = is_hf_u[e_ex]
        e_stage = np.where(
            fam_u[e_ex] < 0,
            3,  # no exercise
            np.where(~ok_u[e_co] & ~(e_absent & ~e_hf), 4, 0),  # prescription
        ).astype(np.int8)
        nan = np.nan
        sets, reps, dist, dur, load = (
            np.where(e_absent, nan, pt[c].to_numpy(np.float64, na_value=nan)[e_co])
            for c in ("sets", "reps", "distance_m", "duration_s", "load_kg")
        )
        per_leg = ~e_absent & pt["per_leg"].to_numpy(bool)[e_co]
        with np.errstate(invalid="ignore"):
            hf = np.where(
                ~np.isnan(reps),
                sets * reps,
                np.where(~np.isnan(dist), sets * dist * rpm_u[e_ex], sets * dur * rps_u[e_ex]),
            )
            hf = np.where(per_leg, 2.0 * hf, hf)
            hf = np.where(e_hf, hf, 0.0)
            hf_load = np.where(e_hf, hf * load, 0.0)
        # kept, but without hf_reps (the catalog lacks the factor, or the text gives no reps),
        # or with one part of the text unread (an unreadable load keeps the reps)
        e_warn = np.where(e_absent, None, pt["warning"].to_numpy(dtype=object)[e_co])
        e_partial = (e_stage == 0) & ((e_hf & np.isnan(hf)) | ~pd.isna(e_warn))
        kind_code, kind_cats = pd.factorize(pt["load_kind"].to_numpy(dtype=object))
        e_kind = np.where(e_absent, -1, kind_code[e_co])

        # ---------------------------------------------------------------- first failure per row
        stage = e_stage[entry]  # 0 = clean
        stage[date_bad_u[pair]] = 2
        stage[ath_bad_u[ath_code]] = 1
        bad = stage > 0

        # ---------------------------------------------------------------- duplicates across files
        good = np.flatnonzero(~bad)
        if not one_file and len(good) and src_code[good].min() != src_code[good].max():
            e_parsed = _refactor(
                *(np.nan_to_num(v, nan=-1.0).view(np.int64) for v in (sets, reps, dist, dur, load)),
                per_leg.astype(np.int64),
                e_kind,
            )
            e_id = ex_key_u[e_ex]
            g_entry = entry[good]
            key = _refactor(
                id_code_u[ath_code[good]],
                d_ns_u[pair[good]].view(np.int64),
                e_id[g_entry],
                e_parsed[g_entry],
            )
            first = good[first_index(key)[key]]
            dup_mask = src_code[good] != src_code[first]
            dups, dup_first = good[dup_mask], first[dup_mask]
            kept = good[~dup_mask]
        else:
            dups = dup_first = np.zeros(0, dtype=np.int64)
            kept = good

        # ---------------------------------------------------------------- rejects
        rejects = pool.submit(
            _log_rejects,
            df,
            stage=stage,
            dups=dups,
            dup_first=dup_first,
            partial=(kept, e_partial),
            src=(src_u, src_code),
            row=row,
            athlete=(ath_u, ath_code, id_cats, id_code_u, why_u),
            date=(date_u, date_code, pair, d_why_u),
            exercise=(ex_u, ex_code, ex_cats, exid_u),
            prescription=(combo, pt, p_err, p_col, entry, e_co, e_ex, dist, e_warn),
        )

        # ---------------------------------------------------------------- order
        # by athlete, date, file, then row: athlete rank and day are properties of the distinct
        # spellings, so the sort key is packed from two small tables
        day_u = np.where(date_bad_u, 0, d_ns_u.astype("datetime64[D]").astype(np.int64))
        day_u = day_u - (day_u[~date_bad_u].min() if (~date_bad_u).any() else 0)
        day_u[date_bad_u] = 0
        rank_u = np.append(id_rank, 0)[id_code_u].astype(np.int32)
        keys = [rank_u[ath_code[kept]], day_u.astype(np.int32)[pair[kept]]]
        if not one_file:
            src_rank = text_rank(src_u)
            keys.append(src_rank[src_code[kept]])
        if not _rows_in_file_order(src_code, row):
            keys.append(row[kept] + 1)  # a stable sort keeps file order otherwise
        order = kept[sort_order(*keys)]
        del keys, good, kept  # before the table's columns take their memory

        # ---------------------------------------------------------------- the clean table
        eo = entry[order]  # one index for every column derived from the entry

        def floats(values: np.ndarray) -> Callable[[], pd.arrays.FloatingArray]:
            return lambda: pd.arrays.FloatingArray(values.take(eo), np.isnan(values).take(eo))

        def texts(values: np.ndarray) -> Callable[[], pd.Series]:
            return lambda: _strings(np.asarray(values, dtype=object), eo)

        def row_numbers() -> pd.arrays.IntegerArray:
            row_o = row[order]
            return pd.arrays.IntegerArray(row_o, row_o < 0)

        # Each column is one gather from a small table; the gathers release the GIL, so a
        # large log builds its columns on threads.
        tasks = {
            "athlete_id": lambda: _strings(np.append(id_cats, None)[id_code_u], ath_code[order]),
            "date": lambda: d_ns_u[pair[order]],
            "exercise": texts(np.append(ex_cats, None)[exid_u[e_ex]]),
            "family": texts(np.append(fam_cats, None)[fam_u[e_ex]]),
            "sets": lambda: pd.arrays.IntegerArray(
                np.nan_to_num(sets).astype(np.int64).take(eo), np.isnan(sets).take(eo)
            ),
            "reps": floats(reps),
            "distance_m": floats(dist),
            "duration_s": floats(dur),
            "load_kg": floats(load),
            "per_leg": lambda: pd.arrays.BooleanArray(per_leg.take(eo), np.zeros(len(eo), bool)),
            "hf_reps": floats(hf),
            "hf_load_kg": floats(hf_load),
            "source": lambda: _strings(src_u, src_code[order]),
            "source_row": row_numbers,
            "exercise_raw": texts(np.append(ex_u, None)[e_ex]),
            "notes": lambda: _notes(df, order),
            "load_kind": texts(np.append(kind_cats, None)[e_kind]),
        }
        # the text columns cost most: started first, the threads finish together
        heavy = ("exercise_raw", "notes", "exercise", "family", "load_kind", "athlete_id")
        futures = {name: pool.submit(tasks[name]) for name in dict.fromkeys((*heavy, *tasks))}
        columns = {name: futures[name].result() for name in tasks}
        srpe, srpe_rej = carry_columns(df, order, columns["athlete_id"])
        out = pd.DataFrame({**columns, **srpe}, copy=False)  # new arrays: no second copy
        return out, concat_rejects(rejects.result(), srpe_rej) if len(
            srpe_rej
        ) else rejects.result()


def _athletes(col: pd.Series, roster: pd.DataFrame) -> tuple:
    """Athlete codes and, per distinct spelling, the roster id code, reason and rank."""
    ath_code, ath_u = distinct_codes(col)
    ids_u, why_u = resolve_athletes(pd.Series(ath_u, dtype="string"), roster)
    id_code_u, id_cats = pd.factorize(ids_u, use_na_sentinel=True)
    id_code_u = np.append(id_code_u, -1)  # per athlete spelling (last slot: empty cell)
    why_u = np.append(why_u.to_numpy(dtype=object, na_value=None), "missing athlete")
    id_cats = np.asarray(id_cats, dtype=object)
    id_rank = text_rank(id_cats)
    return ath_code, ath_u, id_code_u, id_cats, id_rank, why_u, ~pd.isna(why_u)


def _dates(col, src_code, src_u, row, dayfirst, today) -> tuple:
    """Date codes, the (file, spelling) pair of each row and, per pair, date and reason.

    The day/month order is inferred per file, so a date spelling is parsed once per file.
    """
    date_code, date_u = distinct_codes(col)
    pair = _pair_codes(src_code, date_code)
    first = np.sort(first_index(pair))  # in file order, so errors cite the first examples
    dates, reasons = parse_dates(
        pd.Series(np.append(date_u, None)[date_code[first]], dtype="string"),
        sources=pd.Series(src_u[src_code[first]], dtype="string"),
        rows=pd.Series(row[first]),
        dayfirst=dayfirst,
        today=today,
    )
    d_ns_u = np.empty(len(first), dtype="datetime64[ns]")  # per (file, date spelling)
    d_ns_u[pair[first]] = dates.to_numpy(dtype="datetime64[ns]")
    d_why_u = np.empty(len(first), dtype=object)
    d_why_u[pair[first]] = reasons.to_numpy(dtype=object, na_value=None)
    return date_code, date_u, pair, d_ns_u, d_why_u, ~pd.isna(d_why_u)


def _exercises(col: pd.Series, catalog: pd.DataFrame) -> tuple:
    """Exercise codes and, per distinct spelling, catalog id, family and factors."""
    ex_code, ex_u = distinct_codes(col)
    ex = match_exercises(pd.Series(ex_u, dtype="string"), catalog)
    exid_code_u, ex_cats = pd.factorize(ex["exercise"], use_na_sentinel=True)
    fam_code_u, fam_cats = pd.factorize(ex["family"], use_na_sentinel=True)
    exid_u = np.append(exid_code_u, -1)  # per exercise spelling (last slot: empty cell)
    fam_u = np.append(fam_code_u, -1)
    is_hf_u = np.append((ex["family"] == "hip_flexor").fillna(False).to_numpy(bool), False)
    rpm_u = np.append(ex["reps_per_m"].to_numpy(np.float64, na_value=np.nan), np.nan)
    rps_u = np.append(ex["reps_per_s"].to_numpy(np.float64, na_value=np.nan), np.nan)
    # duplicates compare the catalog id, or the spelling of an unmapped exercise
    ex_key_u = ex["exercise"].fillna(pd.Series(ex_u, dtype="string").str.casefold())
    ex_key_u = np.append(pd.factorize(ex_key_u)[0], -1)
    return (ex_code, ex_u, np.asarray(ex_cats, dtype=object), exid_u, fam_u,
            np.asarray(fam_cats, dtype=object), is_hf_u, rpm_u, rps_u, ex_key_u)  # fmt: skip


def _prescriptions(columns: dict[str, pd.Series]) -> tuple:
    """Combination codes and, per distinct combination, the parse and what is wrong with it."""
    combo, pt = parse_entry_codes(columns)
    p_err = pt["error"].to_numpy(dtype=object).copy()
    p_col = pt["error_column"].to_numpy(dtype=object).copy()
    ok_u = pd.isna(p_err)
    limits = (
        ("sets", (pt["sets"] < 1) | (pt["sets"] > MAX_SETS), "implausible sets"),
        ("reps", (pt["reps"] <= 0) | (pt["reps"] > MAX_REPS_PER_SET), "implausible reps"),
        ("distance", (pt["distance_m"] <= 0) | (pt["distance_m"] > MAX_DISTANCE_M),
         "implausible distance"),
        ("duration", (pt["duration_s"] <= 0) | (pt["duration_s"] > MAX_DURATION_S),
         "implausible duration"),
        ("load", pt["load_kg"] < 0, "negative load"),
        ("load", pt["load_kg"] > MAX_LOAD_KG, "implausible load"),
    )  # fmt: skip
    for col, mask, why in limits:
        m = ok_u & mask.to_numpy(bool)
        p_err[m], p_col[m] = why, col
        ok_u = ok_u & ~m
    return combo, pt, p_err, p_col, ok_u, p_err == "missing prescription"


def _log_rejects(df, *, stage, dups, dup_first, partial, src, row, athlete, date, exercise,
                 prescription) -> pd.DataFrame:  # fmt: skip
    """The rejects of :func:`clean_training_log`, sorted by file and row.

    Rejected rows name the first failing column, its raw text and the reason; duplicates
    name the copy that was kept; ``partial`` rows (kept, without ``hf_reps``) name the
    exercise and prescription whose catalog factor is missing. Text is built per distinct
    value and taken by code, like the clean table.
    """
    src_u, src_code = src
    ath_u, ath_code, id_cats, id_code_u, why_u = athlete
    date_u, date_code, pair, d_why_u = date
    ex_u, ex_code, ex_cats, exid_u = exercise
    combo, pt, p_err, p_col, entry, e_co, e_ex, e_dist, e_warn = prescription

    kept, e_partial = partial
    partial = kept[e_partial[entry[kept]]]  # kept, but without hf_reps
    rej_rows = np.flatnonzero(stage > 0)
    st = stage[rej_rows]
    # the prescription cells as one readable string, once per distinct combination needed
    # (read from one row that has it: the rows of a combination hold the same cells)
    with_text = np.concatenate([rej_rows[st == 4], partial])
    combos_needed, at = np.unique(combo[with_text], return_index=True)
    described = np.full(len(p_err), "", dtype=object)
    described[combos_needed] = _describe(df, with_text[at]).to_numpy(object)

    reason = np.empty(len(rej_rows), dtype=object)
    column = np.empty(len(rej_rows), dtype=object)
    value = np.empty(len(rej_rows), dtype=object)
    raw_text = {"athlete": (ath_u, ath_code), "date": (date_u, date_code),
                "exercise": (ex_u, ex_code)}  # fmt: skip
    for s_, col in ((1, "athlete"), (2, "date"), (3, "exercise")):
        m = st == s_
        column[m] = col
        distinct, codes = raw_text[col]
        value[m] = np.append(np.asarray(distinct, dtype=object), None)[codes[rej_rows[m]]]
    reason[st == 1] = why_u[ath_code[rej_rows[st == 1]]]
    reason[st == 2] = d_why_u[pair[rej_rows[st == 2]]]
    reason[st == 3] = "missing exercise"
    m4 = st == 4
    c4 = combo[rej_rows[m4]]
    reason[m4] = p_err[c4]
    column[m4] = p_col[c4]
    ev = pt["error_value"].to_numpy(dtype=object)[c4]
    value[m4] = np.where(pd.isna(ev), described[c4], ev)

    # partial rows: one text per distinct entry, e.g. "a_skip 3 x 50 m"
    e_text = np.full(len(e_co), None, dtype=object)
    used = np.unique(entry[partial])
    if len(used):
        e_text[used] = (
            pd.Series(np.append(ex_cats, None)[exid_u[e_ex[used]]], dtype="string")
            + " "
            + pd.Series(described[e_co[used]], dtype="string")
        ).str.strip().to_numpy(dtype=object)  # fmt: skip
    e_reason = np.where(
        np.isnan(e_dist), "no reps per second in catalog", "no reps per metre in catalog"
    ).astype(object)
    warned = ~pd.isna(e_warn)
    e_reason[warned] = e_warn[warned]
    e_column = np.full(len(e_co), "exercise", dtype=object)
    w_col = pt["warning_column"].to_numpy(dtype=object)[e_co]
    e_column[warned] = w_col[warned]
    p_entry = entry[partial]

    rows = np.concatenate([rej_rows, dups, partial])
    # sorted by file name, then row (as concat_rejects sorts)
    src_rank = text_rank(src_u)
    r_src, r_row = src_code[rows], row[rows]
    o = pa.array(
        sort_order(src_rank[r_src], np.where(r_row < 0, r_row.max(initial=0) + 2, r_row + 1))
    )
    rows = rows.take(o)
    n_rej, n_dup, n_part = len(rej_rows), len(dups), len(partial)

    def text(*parts: pa.Array) -> pd.arrays.ArrowStringArray:
        """The three kinds' texts, stacked and put in file order."""
        whole = pa.concat_arrays([p.cast(pa.large_string()) for p in parts], memory_pool=_POOL)
        return pd.arrays.ArrowStringArray(pc.take(whole, o, memory_pool=_POOL))

    def repeat(value: str, k: int) -> pa.Array:
        return pa.repeat(pa.scalar(value, pa.large_string()), k)

    dup_text = [f"same as {src_u[src_code[f]]} row {row[f]}" for f in dup_first]
    out = pd.DataFrame(
        {
            "source": _strings(src_u, src_code[rows]),
            "source_row": pd.arrays.IntegerArray(r_row.take(o), r_row.take(o) < 0),
            "column": text(
                pa.array(column, from_pandas=True),
                repeat("", n_dup),
                pa.array(e_column, pa.string(), from_pandas=True).take(p_entry),
            ),
            "value": text(
                pa.array(value, pa.large_string(), from_pandas=True),
                pa.array(dup_text, pa.large_string()),
                pa.array(e_text, pa.large_string(), from_pandas=True).take(p_entry),
            ),
            "reason": text(
                pa.array(reason, from_pandas=True),
                repeat("duplicate entry", n_dup),
                pa.array(e_reason, from_pandas=True).take(p_entry),
            ),
            "table": pd.arrays.ArrowStringArray(repeat("log", len(rows))),
            "kind": text(
                repeat("rejected", n_rej), repeat("duplicate", n_dup), repeat("partial", n_part)
            ),
            "athlete_id": _strings(id_cats, id_code_u[ath_code[rows]]),
        },
        copy=False,
    )
    return out if len(out) else empty(REJECT_COLUMNS)


def _notes(df: pd.DataFrame, order: np.ndarray) -> pd.Series:
    """The ``notes`` column of the rows in ``order`` (all NA when the log has none)."""
    if "notes" not in df:
        return pd.Series(pd.NA, index=range(len(order)), dtype="string")
    codes, distinct = distinct_codes(df["notes"])
    return _strings(distinct, codes[order])


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
    lb = _strings(text.to_numpy(dtype=object, na_value=None), codes)
    lb.index = df.index
    if "load" in df.columns:
        lb = df["load"].astype("string").fillna(lb)
    return df.drop(columns="load_lb").assign(load=lb)


def _describe(df: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    """The prescription cells of some rows as one readable string (for reject values)."""
    cols = [c for c in PRESCRIPTION_COLUMNS if c in df.columns]
    sub = df.iloc[rows]
    parts = [sub[c].astype("string").str.strip().fillna("") for c in cols]
    out = parts[0]
    for c, s in zip(cols[1:], parts[1:], strict=True):
        out = out.str.cat(s.radd(f" {c}=").where(s != "", ""))
    return pd.Series(out.str.strip().to_numpy(dtype=object), index=rows, dtype="string")


__all__ = ["MAX_LOAD_KG", "MAX_REPS_PER_SET", "MAX_SETS", "clean_training_log"]
