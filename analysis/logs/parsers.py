"""The training log's columns parsed once per distinct value: athletes, dates, exercises,
prescriptions, and where each row came from.

Each parser takes a raw column, numbers its distinct values (:func:`analysis.distinct.
distinct_codes`), runs the package's parser (names, dates per file, the catalog, the
prescription grammar) on the distinct values only and returns the row codes with small
per-value tables, in a frozen dataclass. The cleaner (:mod:`analysis.logs.clean`) does
the row work with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog import match_exercises
from ..dates import parse_dates
from ..distinct import distinct_codes
from ..names import resolve_athletes
from ..prescription import parse_entry_codes
from ..schema import text_rank
from .columnar import first_index, pair_codes

__all__ = [
    "MAX_DISTANCE_M",
    "MAX_DURATION_S",
    "MAX_LOAD_KG",
    "MAX_REPS_PER_SET",
    "MAX_SETS",
    "PRESCRIPTION_COLUMNS",
    "AthleteCodes",
    "DateCodes",
    "ExerciseCodes",
    "Origin",
    "PrescriptionCodes",
    "athlete_codes",
    "date_codes",
    "exercise_codes",
    "prescription_codes",
    "row_origin",
]

#: Plausibility limits of one log entry; beyond them the row is rejected as implausible.
MAX_SETS = 20
MAX_REPS_PER_SET = 100
MAX_DISTANCE_M = 400.0
MAX_DURATION_S = 900.0
MAX_LOAD_KG = 250.0

#: The raw columns that may hold a prescription (any one is enough).
PRESCRIPTION_COLUMNS = ("prescription", "sets", "reps", "distance", "duration", "load")


@dataclass(frozen=True)
class Origin:
    """Where each row came from: its file (a code into ``files``) and its row number."""

    file_code: np.ndarray
    files: np.ndarray
    row: np.ndarray

    @property
    def one_file(self) -> bool:
        """Does the whole log come from one file?"""
        return len(self.files) == 1


@dataclass(frozen=True)
class AthleteCodes:
    """Athlete spellings: per row a code; per spelling its roster id, reason and rank.

    ``id_code`` and ``why`` have one more slot than ``distinct``, for an empty cell.
    """

    code: np.ndarray
    distinct: np.ndarray
    id_code: np.ndarray
    ids: np.ndarray
    rank: np.ndarray
    why: np.ndarray
    bad: np.ndarray


@dataclass(frozen=True)
class DateCodes:
    """Date spellings, read per file: per row the (file, spelling) ``pair``; per pair
    the day (``day``, datetime64[ns]), the reason it is refused and whether it is."""

    code: np.ndarray
    distinct: np.ndarray
    pair: np.ndarray
    day: np.ndarray
    why: np.ndarray
    bad: np.ndarray


@dataclass(frozen=True)
class ExerciseCodes:
    """Exercise spellings: per row a code; per spelling (plus an empty-cell slot) the
    catalog id and family codes, whether it is a hip-flexor exercise, the catalog's reps
    per metre and per second, and the key duplicates compare (``dedupe_key``)."""

    code: np.ndarray
    distinct: np.ndarray
    ids: np.ndarray
    id_code: np.ndarray
    family_code: np.ndarray
    families: np.ndarray
    is_hf: np.ndarray
    reps_per_m: np.ndarray
    reps_per_s: np.ndarray
    dedupe_key: np.ndarray


@dataclass(frozen=True)
class PrescriptionCodes:
    """Prescription cells: per row a ``combo`` code; per distinct combination its parse
    (``table``, :func:`analysis.prescription.parse_entry_codes`), the first thing wrong
    with it (``error``, ``error_column``; plausibility included), whether it is ``ok``
    and whether the prescription is ``absent``."""

    combo: np.ndarray
    table: pd.DataFrame
    error: np.ndarray
    error_column: np.ndarray
    ok: np.ndarray
    absent: np.ndarray


def row_origin(df: pd.DataFrame) -> Origin:
    """The file and row of each raw row (``<data>`` and rows from 2 when not given)."""
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
    return Origin(src_code, src_u, row)


def athlete_codes(col: pd.Series, roster: pd.DataFrame) -> AthleteCodes:
    """Athlete codes and, per distinct spelling, the roster id code, reason and rank."""
    ath_code, ath_u = distinct_codes(col)
    ids_u, why_u = resolve_athletes(pd.Series(ath_u, dtype="string"), roster)
    id_code_u, id_cats = pd.factorize(ids_u, use_na_sentinel=True)
    id_code_u = np.append(id_code_u, -1)  # per athlete spelling (last slot: empty cell)
    why_u = np.append(why_u.to_numpy(dtype=object, na_value=None), "missing athlete")
    id_cats = np.asarray(id_cats, dtype=object)
    return AthleteCodes(
        ath_code, ath_u, id_code_u, id_cats, text_rank(id_cats), why_u, ~pd.isna(why_u)
    )


def date_codes(col: pd.Series, origin: Origin, dayfirst: bool | None, today) -> DateCodes:
    """Date codes, the (file, spelling) pair of each row and, per pair, date and reason.

    The day/month order is inferred per file, so a date spelling is parsed once per file.
    """
    date_code, date_u = distinct_codes(col)
    src_code, src_u, row = origin.file_code, origin.files, origin.row
    pair = pair_codes(src_code, date_code)
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
    return DateCodes(date_code, date_u, pair, d_ns_u, d_why_u, ~pd.isna(d_why_u))


def exercise_codes(col: pd.Series, catalog: pd.DataFrame) -> ExerciseCodes:
    """Exercise codes and, per distinct spelling, catalog id, family and factors."""
    ex_code, ex_u = distinct_codes(col)
    ex = match_exercises(pd.Series(ex_u, dtype="string"), catalog)
    exid_code_u, ex_cats = pd.factorize(ex["exercise"], use_na_sentinel=True)
    fam_code_u, fam_cats = pd.factorize(ex["family"], use_na_sentinel=True)
    # duplicates compare the catalog id, or the spelling of an unmapped exercise
    ex_key_u = ex["exercise"].fillna(pd.Series(ex_u, dtype="string").str.casefold())
    return ExerciseCodes(
        code=ex_code,
        distinct=ex_u,
        ids=np.asarray(ex_cats, dtype=object),
        id_code=np.append(exid_code_u, -1),  # per exercise spelling (last slot: empty cell)
        family_code=np.append(fam_code_u, -1),
        families=np.asarray(fam_cats, dtype=object),
        is_hf=np.append((ex["family"] == "hip_flexor").fillna(False).to_numpy(bool), False),
        reps_per_m=np.append(ex["reps_per_m"].to_numpy(np.float64, na_value=np.nan), np.nan),
        reps_per_s=np.append(ex["reps_per_s"].to_numpy(np.float64, na_value=np.nan), np.nan),
        dedupe_key=np.append(pd.factorize(ex_key_u)[0], -1),
    )


def prescription_codes(columns: dict[str, pd.Series]) -> PrescriptionCodes:
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
    return PrescriptionCodes(combo, pt, p_err, p_col, ok_u, p_err == "missing prescription")
