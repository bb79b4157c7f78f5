"""What each log entry's text decides, once per distinct entry; the first failure per row;
the same entry found in a second file.

Everything the clean table derives from an entry's text (catalog id, family, parsed
prescription, volume, what is wrong with it) depends on the pair (prescription
combination, exercise spelling) alone: :func:`log_entries` computes it once per distinct
pair, and rows take it by one code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .columnar import first_index, pair_codes, tuple_codes
from .parsers import AthleteCodes, DateCodes, ExerciseCodes, Origin, PrescriptionCodes

__all__ = ["Duplicates", "Entries", "cross_file_duplicates", "first_failure", "log_entries"]

#: ``first_failure`` stages: 0 clean, then the first failing column in this order.
CLEAN, ATHLETE, DATE, EXERCISE, PRESCRIPTION = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Entries:
    """Per row an entry ``code``; per distinct entry (prescription combination ``combo``,
    exercise spelling ``exercise``) the parsed values, ``hf_reps``, its stage (0 clean, 3
    no exercise, 4 prescription), a kept entry's ``warning`` and whether it is ``partial``,
    and its load kind (a code into ``load_kinds``, -1 when none)."""

    code: np.ndarray
    combo: np.ndarray
    exercise: np.ndarray
    stage: np.ndarray
    sets: np.ndarray
    reps: np.ndarray
    distance_m: np.ndarray
    duration_s: np.ndarray
    load_kg: np.ndarray
    per_leg: np.ndarray
    hf_reps: np.ndarray
    hf_load_kg: np.ndarray
    warning: np.ndarray
    partial: np.ndarray
    load_kind: np.ndarray
    load_kinds: np.ndarray


@dataclass(frozen=True)
class Duplicates:
    """Rows that pass every check: the ``kept`` ones, and the ``rows`` that repeat an entry
    of another file with the row each repeats (``first``)."""

    kept: np.ndarray
    rows: np.ndarray
    first: np.ndarray


def log_entries(pres: PrescriptionCodes, ex: ExerciseCodes) -> Entries:
    """Each distinct (prescription combination, exercise spelling) pair, parsed and counted.

    ``hf_reps`` is sets × reps, or sets × metres × reps per metre, or sets × seconds ×
    reps per second (catalog factors), doubled per leg, 0 unless a hip-flexor exercise.
    """
    entry = pair_codes(pres.combo, ex.code)
    first_e = first_index(entry)
    e_co, e_ex = pres.combo[first_e], ex.code[first_e]
    pt = pres.table
    e_absent = pres.absent[e_co]
    e_hf = ex.is_hf[e_ex]
    e_stage = np.where(
        ex.family_code[e_ex] < 0,
        EXERCISE,  # no exercise
        np.where(~pres.ok[e_co] & ~(e_absent & ~e_hf), PRESCRIPTION, CLEAN),
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
            np.where(
                ~np.isnan(dist), sets * dist * ex.reps_per_m[e_ex], sets * dur * ex.reps_per_s[e_ex]
            ),
        )
        hf = np.where(per_leg, 2.0 * hf, hf)
        hf = np.where(e_hf, hf, 0.0)
        hf_load = np.where(e_hf, hf * load, 0.0)
    # kept, but without hf_reps (the catalog lacks the factor, or the text gives no reps),
    # or with one part of the text unread (an unreadable load keeps the reps)
    e_warn = np.where(e_absent, None, pt["warning"].to_numpy(dtype=object)[e_co])
    e_partial = (e_stage == CLEAN) & ((e_hf & np.isnan(hf)) | ~pd.isna(e_warn))
    kind_code, kind_cats = pd.factorize(pt["load_kind"].to_numpy(dtype=object))
    e_kind = np.where(e_absent, -1, kind_code[e_co])
    return Entries(
        entry, e_co, e_ex, e_stage, sets, reps, dist, dur, load, per_leg, hf, hf_load,
        e_warn, e_partial, e_kind, kind_cats,
    )  # fmt: skip


def first_failure(entries: Entries, athletes: AthleteCodes, dates: DateCodes) -> np.ndarray:
    """Per row the first failing stage: athlete (1), date (2), exercise (3), prescription
    (4); 0 when the row is clean."""
    stage = entries.stage[entries.code]
    stage[dates.bad[dates.pair]] = DATE
    stage[athletes.bad[athletes.code]] = ATHLETE
    return stage


def cross_file_duplicates(
    stage: np.ndarray,
    entries: Entries,
    athletes: AthleteCodes,
    dates: DateCodes,
    exercises: ExerciseCodes,
    origin: Origin,
) -> Duplicates:
    """The same entry (athlete, day, exercise, parsed prescription) found in a second file.

    The first row of an entry is kept; a later row of the same file is kept too (a drill
    done twice in a session); a row of another file is a duplicate of that first row.
    """
    good = np.flatnonzero(stage == CLEAN)
    src_code = origin.file_code
    if origin.one_file or not len(good) or src_code[good].min() == src_code[good].max():
        none = np.zeros(0, dtype=np.int64)
        return Duplicates(good, none, none)
    e = entries
    e_parsed = tuple_codes(
        *(np.nan_to_num(v, nan=-1.0).view(np.int64)
          for v in (e.sets, e.reps, e.distance_m, e.duration_s, e.load_kg)),
        e.per_leg.astype(np.int64),
        e.load_kind,
    )  # fmt: skip
    e_id = exercises.dedupe_key[e.exercise]
    g_entry = e.code[good]
    key = tuple_codes(
        athletes.id_code[athletes.code[good]],
        dates.day[dates.pair[good]].view(np.int64),
        e_id[g_entry],
        e_parsed[g_entry],
    )
    first = good[first_index(key)[key]]
    dup_mask = src_code[good] != src_code[first]
    return Duplicates(good[~dup_mask], good[dup_mask], first[dup_mask])
