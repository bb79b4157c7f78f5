"""The rejects of the training log: rejected rows, duplicates and partial rows, in file order.

Text is built per distinct value and taken by code, like the clean table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import REJECT_COLUMNS, empty, text_rank
from .columnar import TEXT_POOL, first_index, sort_order, text_column
from .entries import ATHLETE, DATE, EXERCISE, PRESCRIPTION, Duplicates, Entries
from .parsers import (
    PRESCRIPTION_COLUMNS,
    AthleteCodes,
    DateCodes,
    ExerciseCodes,
    Origin,
    PrescriptionCodes,
)

__all__ = ["log_rejects"]


@dataclass(frozen=True)
class _Partial:
    """Kept rows without ``hf_reps`` (or with a part unread): their ``rows``; per distinct
    entry the reject's ``column``, ``value`` text and ``reason``."""

    rows: np.ndarray
    column: np.ndarray
    value: np.ndarray
    reason: np.ndarray


def log_rejects(
    df: pd.DataFrame,
    *,
    stage: np.ndarray,
    duplicates: Duplicates,
    entries: Entries,
    origin: Origin,
    athletes: AthleteCodes,
    dates: DateCodes,
    exercises: ExerciseCodes,
    prescriptions: PrescriptionCodes,
) -> pd.DataFrame:
    """The rejects of :func:`analysis.logs.clean_training_log`, sorted by file and row.

    Rejected rows name the first failing column, its raw text and the reason; duplicates
    name the copy that was kept; ``partial`` rows (kept, without ``hf_reps``) name the
    exercise and prescription whose catalog factor is missing.
    """
    src_u, src_code, row = origin.files, origin.file_code, origin.row
    pres = prescriptions
    partial_rows = duplicates.kept[entries.partial[entries.code[duplicates.kept]]]
    rej_rows = np.flatnonzero(stage > 0)
    st = stage[rej_rows]
    # the prescription cells as one readable string, once per distinct combination needed
    # (read from one row that has it: the rows of a combination hold the same cells)
    with_text = np.concatenate([rej_rows[st == PRESCRIPTION], partial_rows])
    combos_needed, at = _distinct_first(pres.combo[with_text])
    described = np.full(len(pres.error), "", dtype=object)
    described[combos_needed] = _describe(df, with_text[at]).to_numpy(object)

    rejected = _rejected(rej_rows, st, athletes, dates, exercises, pres, described)
    partial = _partial(partial_rows, entries, exercises, pres, described)
    rows = np.concatenate([rej_rows, duplicates.rows, partial.rows])
    # sorted by file name, then row (as concat_rejects sorts)
    src_rank = text_rank(src_u)
    r_src, r_row = src_code[rows], row[rows]
    o = pa.array(
        sort_order(src_rank[r_src], np.where(r_row < 0, r_row.max(initial=0) + 2, r_row + 1))
    )
    rows = rows.take(o)
    n_rej, n_dup, n_part = len(rej_rows), len(duplicates.rows), len(partial.rows)

    def text(*parts: pa.Array) -> pd.arrays.ArrowStringArray:
        """The three kinds' texts, stacked and put in file order."""
        whole = pa.concat_arrays([p.cast(pa.large_string()) for p in parts], memory_pool=TEXT_POOL)
        return pd.arrays.ArrowStringArray(pc.take(whole, o, memory_pool=TEXT_POOL))

    def repeat(value: str, k: int) -> pa.Array:
        return pa.repeat(pa.scalar(value, pa.large_string()), k)

    dup_text = [f"same as {src_u[src_code[f]]} row {row[f]}" for f in duplicates.first]
    p_entry = entries.code[partial.rows]
    out = pd.DataFrame(
        {
            "source": text_column(src_u, src_code[rows]),
            "source_row": pd.arrays.IntegerArray(r_row.take(o), r_row.take(o) < 0),
            "column": text(
                pa.array(rejected.column, from_pandas=True),
                repeat("", n_dup),
                pa.array(partial.column, pa.string(), from_pandas=True).take(p_entry),
            ),
            "value": text(
                pa.array(rejected.value, pa.large_string(), from_pandas=True),
                pa.array(dup_text, pa.large_string()),
                pa.array(partial.value, pa.large_string(), from_pandas=True).take(p_entry),
            ),
            "reason": text(
                pa.array(rejected.reason, from_pandas=True),
                repeat("duplicate entry", n_dup),
                pa.array(partial.reason, from_pandas=True).take(p_entry),
            ),
            "table": pd.arrays.ArrowStringArray(repeat("log", len(rows))),
            "kind": text(
                repeat("rejected", n_rej), repeat("duplicate", n_dup), repeat("partial", n_part)
            ),
            "athlete_id": text_column(athletes.ids, athletes.id_code[athletes.code[rows]]),
        },
        copy=False,
    )
    return out if len(out) else empty(REJECT_COLUMNS)


@dataclass(frozen=True)
class _Rejected:
    """Per rejected row: the first failing column, its raw text and the reason."""

    column: np.ndarray
    value: np.ndarray
    reason: np.ndarray


def _rejected(
    rej_rows: np.ndarray,
    st: np.ndarray,
    athletes: AthleteCodes,
    dates: DateCodes,
    exercises: ExerciseCodes,
    pres: PrescriptionCodes,
    described: np.ndarray,
) -> _Rejected:
    """Column, raw value and reason of each rejected row (``st``: its failing stage)."""
    reason = np.empty(len(rej_rows), dtype=object)
    column = np.empty(len(rej_rows), dtype=object)
    value = np.empty(len(rej_rows), dtype=object)
    raw_text = {"athlete": athletes, "date": dates, "exercise": exercises}
    for s_, col in ((ATHLETE, "athlete"), (DATE, "date"), (EXERCISE, "exercise")):
        m = st == s_
        column[m] = col
        codes = raw_text[col]
        value[m] = np.append(np.asarray(codes.distinct, dtype=object), None)[
            codes.code[rej_rows[m]]
        ]
    reason[st == ATHLETE] = athletes.why[athletes.code[rej_rows[st == ATHLETE]]]
    reason[st == DATE] = dates.why[dates.pair[rej_rows[st == DATE]]]
    reason[st == EXERCISE] = "missing exercise"
    m4 = st == PRESCRIPTION
    c4 = pres.combo[rej_rows[m4]]
    reason[m4] = pres.error[c4]
    column[m4] = pres.error_column[c4]
    ev = pres.table["error_value"].to_numpy(dtype=object)[c4]
    value[m4] = np.where(pd.isna(ev), described[c4], ev)
    return _Rejected(column, value, reason)


def _partial(
    rows: np.ndarray,
    entries: Entries,
    exercises: ExerciseCodes,
    pres: PrescriptionCodes,
    described: np.ndarray,
) -> _Partial:
    """Partial rows: one text per distinct entry, e.g. ``a_skip 3 x 50 m``, and its reason."""
    e_co, e_ex = entries.combo, entries.exercise
    e_text = np.full(len(e_co), None, dtype=object)
    used = _distinct_first(entries.code[rows])[0]
    if len(used):
        e_text[used] = (
            pd.Series(np.append(exercises.ids, None)[exercises.id_code[e_ex[used]]], dtype="string")
            + " "
            + pd.Series(described[e_co[used]], dtype="string")
        ).str.strip().to_numpy(dtype=object)  # fmt: skip
    e_reason = np.where(
        np.isnan(entries.distance_m),
        "no reps per second in catalog",
        "no reps per metre in catalog",
    ).astype(object)
    warned = ~pd.isna(entries.warning)
    e_reason[warned] = entries.warning[warned]
    e_column = np.full(len(e_co), "exercise", dtype=object)
    w_col = pres.table["warning_column"].to_numpy(dtype=object)[e_co]
    e_column[warned] = w_col[warned]
    return _Partial(rows, e_column, e_text, e_reason)


def _distinct_first(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes, ascending, and where each first occurs: what
    ``np.unique(codes, return_index=True)`` gives, counted instead of sorted (codes from
    0; others are sorted)."""
    if not len(codes) or codes.min() < 0:
        return np.unique(codes, return_index=True)
    present = np.flatnonzero(np.bincount(codes))
    return present.astype(codes.dtype), first_index(codes)[present].astype(np.intp)


def _describe(df: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    """The prescription cells of some rows as one readable string (for reject values)."""
    cols = [c for c in PRESCRIPTION_COLUMNS if c in df.columns]
    sub = df.iloc[rows]
    parts = [sub[c].astype("string").str.strip().fillna("") for c in cols]
    out = parts[0]
    for c, s in zip(cols[1:], parts[1:], strict=True):
        out = out.str.cat(s.radd(f" {c}=").where(s != "", ""))
    return pd.Series(out.str.strip().to_numpy(dtype=object), index=rows, dtype="string")
