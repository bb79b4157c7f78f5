"""Clean coaches' training logs into the pinned training-log table: :func:`clean_training_log`.

Every raw row ends in exactly one place: the clean table, or ``rejects`` as ``rejected``
(with the first reason found, in the order athlete, date, exercise, prescription,
plausibility) or as ``duplicate`` (the same entry already taken from another file).
Rows kept with one doubtful derived value are also named in ``rejects`` as ``partial``.

How it stays fast: coach logs repeat a handful of spellings millions of times, so every
column is factorised once and each parser (names, dates per file, exercises, prescription
combinations, plausibility) runs on the distinct values only. Row-level work is integer
and float arithmetic on the codes; text is materialised once, at the end, from the
distinct values (and the rejects, which are few, are built as text directly).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa

from .catalog import load_catalog, match_exercises
from .dates import parse_dates
from .errors import DataError, DataWarning
from .io import LOG_SYNONYMS, canonicalize_columns
from .names import resolve_athletes
from .prescription import parse_entry_codes
from .schema import LOG_COLUMNS, REJECT_COLUMNS, concat_rejects, conform, empty, rejects_frame

#: Plausibility limits of one log entry; beyond them the row is rejected as implausible.
MAX_SETS = 20
MAX_REPS_PER_SET = 100
MAX_DISTANCE_M = 400.0
MAX_DURATION_S = 900.0
MAX_LOAD_KG = 250.0

PRESCRIPTION_COLUMNS = ("prescription", "sets", "reps", "distance", "duration", "load")
_EXTRA_COLUMNS = {"load_kind": "string"}


def _empty_log() -> pd.DataFrame:
    return conform(empty({**LOG_COLUMNS, **_EXTRA_COLUMNS}), LOG_COLUMNS, name="training log")


def _codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Factorise raw text: ``codes`` (-1 for empty) and the stripped distinct values."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = pd.Series(np.asarray(uniques, dtype=object)).astype("string").str.strip()
    text = text.mask(text == "")
    remap, distinct = pd.factorize(text, use_na_sentinel=True)
    remap = np.append(remap, -1)  # slot for NA
    return remap[codes].astype(np.int64), np.asarray(distinct, dtype=object)


def _strings(values: np.ndarray, codes: np.ndarray) -> pd.Series:
    """``values[codes]`` as a pandas ``string`` Series (code -1 -> NA), built in Arrow."""
    dictionary = pa.array(list(values), type=pa.large_string())
    idx = pa.array(codes, mask=codes < 0, type=pa.int64())
    arr = pa.DictionaryArray.from_arrays(idx, dictionary).cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def _floats(values: np.ndarray) -> pd.arrays.FloatingArray:
    v = np.asarray(values, dtype=np.float64)
    return pd.arrays.FloatingArray(v, np.isnan(v))


def first_index(codes: np.ndarray) -> np.ndarray:
    """Row of the first occurrence of each code ``0..k-1`` (O(n), no sort)."""
    k = int(codes.max()) + 1 if len(codes) else 0
    first = np.empty(k, dtype=np.int64)
    rows = np.arange(len(codes), dtype=np.int64)
    first[codes[::-1]] = rows[::-1]  # the last write per code is its smallest row
    return first


def sort_order(*keys: np.ndarray) -> np.ndarray:
    """Stable order of rows by non-negative integer keys, the most significant first.

    The keys are packed into one unsigned 64-bit integer and sorted in 16-bit digits with
    NumPy's stable sort, a radix sort for 16-bit integers (O(n) per digit): several times
    faster than ``np.lexsort`` on a million rows. Keys that need more than 64 bits
    together fall back to ``np.lexsort``.
    """
    n = len(keys[0])
    bits = [max(int(k.max()), 1).bit_length() if n else 1 for k in keys]
    if sum(bits) > 64:
        return np.lexsort(keys[::-1])
    packed = np.zeros(n, dtype=np.uint64)
    for k, b in zip(keys, bits, strict=True):
        packed = (packed << np.uint64(b)) | k.astype(np.uint64)
    order = np.arange(n, dtype=np.int64)
    for shift in range(0, sum(bits), 16):
        digit = ((packed[order] >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
    return order


def _rows_in_file_order(src: np.ndarray, row: np.ndarray) -> bool:
    """Do the rows of each file come in ascending row order, each file in one block?"""
    if len(src) < 2:
        return True
    same = src[1:] == src[:-1]
    blocks = int((~same).sum()) + 1
    return blocks == np.count_nonzero(np.bincount(src)) and bool(
        (row[1:][same] > row[:-1][same]).all()
    )


def _refactor(*arrays: np.ndarray) -> np.ndarray:
    """One code per distinct tuple of aligned integer arrays (order of first appearance)."""
    out = np.zeros(len(arrays[0]), dtype=np.int64)
    for a in arrays:
        codes, uniques = pd.factorize(a)
        out, _ = pd.factorize(out * (len(uniques) + 1) + codes)
        out = out.astype(np.int64)
    return out


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
        Pinned ``LOG_COLUMNS`` then ``load_kind`` (``kg``, ``bodyweight``, ``band`` or NA).
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
            "athlete, date, exercise, prescription or sets/reps/distance/duration/load, notes)",
            DataWarning,
            stacklevel=2,
        )
    if len(df) == 0:
        return _empty_log(), empty(REJECT_COLUMNS)
    n = len(df)
    if "source" in df:
        src_code, src_u = _codes(df["source"])
        if (src_code < 0).any():
            src_u = np.append(src_u, "<data>")
            src_code = np.where(src_code < 0, len(src_u) - 1, src_code)
    else:
        src_code, src_u = np.zeros(n, dtype=np.int64), np.array(["<data>"], dtype=object)
    if "source_row" in df:
        row = pd.to_numeric(df["source_row"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        row = np.where(np.isnan(row), -1, row).astype(np.int64)
    else:
        row = np.arange(2, n + 2, dtype=np.int64)

    # ---------------------------------------------------------------- athletes
    ath_code, ath_u = _codes(df["athlete"])
    ids_u, why_u = resolve_athletes(pd.Series(ath_u, dtype="string"), roster)
    id_code_u, id_cats = pd.factorize(ids_u, use_na_sentinel=True)
    id_code_u = np.append(id_code_u, -1)
    why_u = np.append(why_u.to_numpy(dtype=object, na_value=None), "missing athlete")
    aid = id_code_u[ath_code]  # -1 where unresolved
    ath_bad = ~pd.isna(why_u)[ath_code]
    id_cats = np.asarray(id_cats, dtype=object)

    # ---------------------------------------------------------------- dates (per file)
    date_code, date_u = _codes(df["date"])
    pair = _refactor(date_code, src_code) if len(src_u) > 1 else pd.factorize(date_code)[0]
    first = first_index(pair)
    d_u, d_why_u = parse_dates(
        pd.Series(np.append(date_u, None)[date_code[first]], dtype="string"),
        sources=pd.Series(src_u[src_code[first]], dtype="string"),
        rows=pd.Series(row[first]),
        dayfirst=dayfirst,
        today=today,
    )
    date_ns = d_u.to_numpy(dtype="datetime64[ns]")[pair]
    d_why_u = d_why_u.to_numpy(dtype=object, na_value=None)
    date_bad = ~pd.isna(d_why_u)[pair]

    # ---------------------------------------------------------------- exercises
    ex_code, ex_u = _codes(df["exercise"])
    ex = match_exercises(pd.Series(ex_u, dtype="string"), catalog)
    exid_code_u, ex_cats = pd.factorize(ex["exercise"], use_na_sentinel=True)
    fam_code_u, fam_cats = pd.factorize(ex["family"], use_na_sentinel=True)
    exid = np.append(exid_code_u, -1)[ex_code]
    fam = np.append(fam_code_u, -1)[ex_code]
    fam_cats = np.asarray(fam_cats, dtype=object)
    is_hf_u = np.append((ex["family"] == "hip_flexor").fillna(False).to_numpy(bool), False)
    is_hf = is_hf_u[ex_code]
    rpm_u = np.append(ex["reps_per_m"].to_numpy(np.float64, na_value=np.nan), np.nan)
    rps_u = np.append(ex["reps_per_s"].to_numpy(np.float64, na_value=np.nan), np.nan)
    # duplicates compare the catalog id, or the spelling of an unmapped exercise
    ex_key_u = ex["exercise"].fillna(pd.Series(ex_u, dtype="string").str.casefold())
    ex_key = np.append(pd.factorize(ex_key_u)[0], -1)[ex_code]

    # ---------------------------------------------------------------- prescriptions
    combo, pt = parse_entry_codes({c: df[c] for c in PRESCRIPTION_COLUMNS if c in df.columns})
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
    absent_u = p_err == "missing prescription"
    absent = absent_u[combo]

    # ---------------------------------------------------------------- first failure per row
    stage = np.zeros(n, dtype=np.int8)  # 0 = clean
    stage[ath_bad] = 1
    stage[(stage == 0) & date_bad] = 2
    stage[(stage == 0) & ((ex_code < 0) | (fam < 0))] = 3
    p_bad = ~ok_u[combo] & ~(absent & ~is_hf)
    stage[(stage == 0) & p_bad] = 4
    bad = stage > 0

    # ---------------------------------------------------------------- parsed values
    # per distinct prescription (NaN where absent); rows take them after sorting
    nan = np.nan
    parsed = {
        c: np.where(absent_u, nan, pt[c].to_numpy(np.float64, na_value=nan))
        for c in ("sets", "reps", "distance_m", "duration_s", "load_kg")
    }
    per_leg_u = ~absent_u & pt["per_leg"].to_numpy(bool)
    kind_codes_u, kind_cats = pd.factorize(pt["load_kind"].to_numpy(dtype=object))
    kind_codes_u = np.where(absent_u, -1, kind_codes_u)

    # ---------------------------------------------------------------- duplicates across files
    good = np.flatnonzero(~bad)
    if len(good) and src_code[good].min() != src_code[good].max():  # across files only
        parsed_id = _refactor(
            *(np.nan_to_num(pt[c].to_numpy(), nan=-1.0).view(np.int64)
              for c in ("sets", "reps", "distance_m", "duration_s", "load_kg")),
            pt["per_leg"].to_numpy().astype(np.int64),
            pd.factorize(pt["load_kind"])[0],
        )  # fmt: skip
        parsed_id = np.where(absent_u, -1, parsed_id)[combo]
        key = _refactor(aid[good], date_ns[good].view(np.int64), ex_key[good], parsed_id[good])
        first = good[first_index(key)[key]]
        dup_mask = src_code[good] != src_code[first]
    else:
        first = good
        dup_mask = np.zeros(len(good), dtype=bool)
    dups, dup_first = good[dup_mask], first[dup_mask]
    kept = good[~dup_mask]

    # ---------------------------------------------------------------- order and volume
    id_rank = np.argsort(np.argsort(id_cats.astype(str), kind="stable"))
    src_rank = np.argsort(np.argsort(src_u.astype(str), kind="stable"))
    k = kept
    day = date_ns[k].astype("datetime64[D]").astype(np.int64) if len(k) else np.zeros(0, np.int64)
    keys = [id_rank[aid[k]], day - (day.min() if len(k) else 0), src_rank[src_code[k]]]
    if not _rows_in_file_order(src_code[k], row[k]):
        keys.append(row[k] + 1)  # a stable sort keeps file order otherwise
    order = k[sort_order(*keys)]
    co, eo = combo[order], ex_code[order]
    sets, reps, dist, dur, load = (parsed[c][co] for c in parsed)
    per_leg = per_leg_u[co]
    is_hf_o = is_hf_u[eo]
    with np.errstate(invalid="ignore"):
        hf = np.where(
            ~np.isnan(reps),
            sets * reps,
            np.where(~np.isnan(dist), sets * dist * rpm_u[eo], sets * dur * rps_u[eo]),
        )
        hf = np.where(per_leg, 2.0 * hf, hf)
        hf = np.where(is_hf_o, hf, 0.0)
        hf_load = np.where(is_hf_o, hf * load, 0.0)
    no_factor = is_hf_o & np.isnan(hf)  # kept, but the catalog lacks the factor
    part = order[no_factor]

    # ---------------------------------------------------------------- rejects (few rows: text)
    # the prescription cells as one readable string, once per distinct combination
    combos_needed = np.union1d(np.unique(combo[bad]), np.unique(co[no_factor]))
    described = np.full(int(combo.max()) + 1, "", dtype=object)  # n > 0 here
    described[combos_needed] = _describe(df, first_index(combo)[combos_needed]).to_numpy(object)
    raw_text = {
        "athlete": (ath_u, ath_code),
        "date": (date_u, date_code),
        "exercise": (ex_u, ex_code),
    }
    rej_rows = np.flatnonzero(bad)
    st = stage[rej_rows]
    reason = np.empty(len(rej_rows), dtype=object)
    column = np.empty(len(rej_rows), dtype=object)
    value = np.empty(len(rej_rows), dtype=object)
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
    rej = rejects_frame(
        source=pd.Series(src_u[src_code[rej_rows]], dtype="string"),
        source_row=pd.Series(row[rej_rows], dtype="Int64"),
        column=pd.Series(column, dtype="string"),
        value=pd.Series(value, dtype="string"),
        reason=pd.Series(reason, dtype="string"),
        table="log",
        kind="rejected",
        athlete_id=pd.Series(np.append(id_cats, None)[aid[rej_rows]], dtype="string"),
    )
    dup_rej = rejects_frame(
        source=pd.Series(src_u[src_code[dups]], dtype="string"),
        source_row=pd.Series(row[dups], dtype="Int64"),
        column="",
        value=pd.Series(
            [f"same as {src_u[src_code[f]]} row {row[f]}" for f in dup_first], dtype="string"
        ),
        reason="duplicate entry",
        table="log",
        kind="duplicate",
        athlete_id=pd.Series(id_cats[aid[dups]], dtype="string"),
    )
    ex_pair = pd.factorize(exid[part] * (len(described) + 1) + combo[part])[0]
    first_part = part[first_index(ex_pair)] if len(part) else part
    pair_text = (
        pd.Series(np.asarray(ex_cats, dtype=object)[exid[first_part]], dtype="string")
        + " "
        + pd.Series(described[combo[first_part]], dtype="string")
    ).str.strip()
    no_rpm = ~np.isnan(parsed["distance_m"][combo[part]])
    part_rej = rejects_frame(
        source=_strings(src_u, src_code[part]),
        source_row=pd.Series(row[part], dtype="Int64"),
        column="exercise",
        value=_strings(pair_text.to_numpy(dtype=object), ex_pair),
        reason=_strings(
            np.array(["no reps per second in catalog", "no reps per metre in catalog"], object),
            no_rpm.astype(np.int64),
        ),
        table="log",
        kind="partial",
        athlete_id=_strings(id_cats, aid[part]),
    )

    # ---------------------------------------------------------------- the clean table
    notes = _codes(df["notes"]) if "notes" in df else None
    ex_u_obj = np.asarray(ex_u, dtype=object)
    out = pd.DataFrame(
        {
            "athlete_id": _strings(id_cats, aid[order]),
            "date": date_ns[order],
            "exercise": _strings(np.asarray(ex_cats, dtype=object), exid[order]),
            "family": _strings(fam_cats, fam[order]),
            "sets": pd.arrays.IntegerArray(np.nan_to_num(sets).astype(np.int64), np.isnan(sets)),
            "reps": _floats(reps),
            "distance_m": _floats(dist),
            "duration_s": _floats(dur),
            "load_kg": _floats(load),
            "per_leg": pd.arrays.BooleanArray(per_leg, np.zeros(len(order), bool)),
            "hf_reps": _floats(hf),
            "hf_load_kg": _floats(hf_load),
            "source": _strings(src_u, src_code[order]),
            "source_row": pd.arrays.IntegerArray(row[order], row[order] < 0),
            "exercise_raw": _strings(ex_u_obj, ex_code[order]),
            "notes": (
                _strings(notes[1], notes[0][order])
                if notes is not None
                else pd.Series(pd.NA, index=range(len(order)), dtype="string")
            ),
            "load_kind": _strings(np.asarray(kind_cats, dtype=object), kind_codes_u[co]),
        },
        copy=False,  # the arrays are new: no second copy
    )
    return out, concat_rejects(rej, dup_rej, part_rej)


def _pounds_column(df: pd.DataFrame) -> pd.DataFrame:
    """A ``Weight (lbs)`` column becomes the ``load`` column, its bare numbers in pounds.

    Where a sheet has both a load column and a pounds column, the load column wins for
    the rows where it has a value.
    """
    if "load_lb" not in df.columns:
        return df
    codes, distinct = _codes(df["load_lb"].astype("string"))
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
