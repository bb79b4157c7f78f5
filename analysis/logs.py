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

import numpy as np
import pandas as pd
import pyarrow as pa

from .catalog import load_catalog, match_exercises
from .dates import parse_dates
from .errors import DataError
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
    dictionary = pa.array(list(values), type=pa.string())
    idx = pa.array(codes, mask=codes < 0, type=pa.int64())
    arr = pa.DictionaryArray.from_arrays(idx, dictionary).cast(pa.string())
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
    df = canonicalize_columns(raw, LOG_SYNONYMS).reset_index(drop=True)
    first_source = str(df["source"].iloc[0]) if "source" in df and len(df) else "<data>"
    missing = [c for c in ("athlete", "date", "exercise") if c not in df.columns]
    if missing:
        raise DataError(f"training log lacks a {missing[0]!r} column", file=first_source)
    if not any(c in df.columns for c in PRESCRIPTION_COLUMNS):
        raise DataError(
            "training log lacks a prescription column (Sets x Reps, Sets/Reps, Distance...)",
            file=first_source,
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
    rpm = np.append(ex["reps_per_m"].to_numpy(np.float64, na_value=np.nan), np.nan)[ex_code]
    rps = np.append(ex["reps_per_s"].to_numpy(np.float64, na_value=np.nan), np.nan)[ex_code]
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

    # ---------------------------------------------------------------- derived volume
    keep = ~absent
    nan = np.nan
    sets = np.where(keep, pt["sets"].to_numpy()[combo], nan)
    reps = np.where(keep, pt["reps"].to_numpy()[combo], nan)
    dist = np.where(keep, pt["distance_m"].to_numpy()[combo], nan)
    dur = np.where(keep, pt["duration_s"].to_numpy()[combo], nan)
    load = np.where(keep, pt["load_kg"].to_numpy()[combo], nan)
    per_leg = keep & pt["per_leg"].to_numpy()[combo]
    leg = np.where(per_leg, 2.0, 1.0)
    with np.errstate(invalid="ignore"):
        hf = (
            np.where(
                ~np.isnan(reps),
                sets * reps,
                np.where(~np.isnan(dist), sets * dist * rpm, sets * dur * rps),
            )
            * leg
        )
        hf = np.where(is_hf, hf, 0.0)
        hf_load = np.where(is_hf, hf * load, 0.0)
    no_factor = is_hf & np.isnan(hf)

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

    # ---------------------------------------------------------------- rejects (few rows: text)
    raw_text = {c: df[c].astype("string").str.strip() for c in ("athlete", "date", "exercise")}
    described = _describe(df, np.flatnonzero(bad | no_factor))
    rej_rows = np.flatnonzero(bad)
    st = stage[rej_rows]
    reason = np.empty(len(rej_rows), dtype=object)
    column = np.empty(len(rej_rows), dtype=object)
    value = np.empty(len(rej_rows), dtype=object)
    for s_, col in ((1, "athlete"), (2, "date"), (3, "exercise")):
        m = st == s_
        column[m] = col
        value[m] = raw_text[col].to_numpy(dtype=object, na_value=None)[rej_rows[m]]
    reason[st == 1] = why_u[ath_code[rej_rows[st == 1]]]
    reason[st == 2] = d_why_u[pair[rej_rows[st == 2]]]
    reason[st == 3] = "missing exercise"
    m4 = st == 4
    c4 = combo[rej_rows[m4]]
    reason[m4] = p_err[c4]
    column[m4] = p_col[c4]
    ev = pt["error_value"].to_numpy(dtype=object)[c4]
    value[m4] = np.where(pd.isna(ev), described.reindex(rej_rows[m4]).to_numpy(object), ev)
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
    part = kept[no_factor[kept]]
    part_rej = rejects_frame(
        source=pd.Series(src_u[src_code[part]], dtype="string"),
        source_row=pd.Series(row[part], dtype="Int64"),
        column="exercise",
        value=(
            pd.Series(np.asarray(ex_cats, dtype=object)[exid[part]], dtype="string")
            + " "
            + pd.Series(described.reindex(part).fillna("").to_numpy(object), dtype="string")
        ).str.strip(),
        reason=pd.Series(
            np.where(
                np.isnan(dist[part]),
                "no reps per second in catalog",
                "no reps per metre in catalog",
            ),
            dtype="string",
        ),
        table="log",
        kind="partial",
        athlete_id=pd.Series(id_cats[aid[part]], dtype="string"),
    )

    # ---------------------------------------------------------------- the clean table
    id_rank = np.argsort(np.argsort(id_cats.astype(str), kind="stable"))
    src_rank = np.argsort(np.argsort(src_u.astype(str), kind="stable"))
    k = kept
    order = k[
        np.lexsort((row[k], src_rank[src_code[k]], date_ns[k].view(np.int64), id_rank[aid[k]]))
    ]
    notes = _codes(df["notes"]) if "notes" in df else None
    ex_u_obj = np.asarray(ex_u, dtype=object)
    kind_u = pt["load_kind"].to_numpy(dtype=object)
    kind_code = np.where(keep, pd.factorize(kind_u)[0][combo], -1)
    kind_cats = np.asarray(pd.factorize(kind_u)[1], dtype=object)
    out = pd.DataFrame(
        {
            "athlete_id": _strings(id_cats, aid[order]),
            "date": date_ns[order],
            "exercise": _strings(np.asarray(ex_cats, dtype=object), exid[order]),
            "family": _strings(fam_cats, fam[order]),
            "sets": pd.arrays.IntegerArray(
                np.nan_to_num(sets[order]).astype(np.int64), np.isnan(sets[order])
            ),
            "reps": _floats(reps[order]),
            "distance_m": _floats(dist[order]),
            "duration_s": _floats(dur[order]),
            "load_kg": _floats(load[order]),
            "per_leg": pd.arrays.BooleanArray(per_leg[order], np.zeros(len(order), bool)),
            "hf_reps": _floats(hf[order]),
            "hf_load_kg": _floats(hf_load[order]),
            "source": _strings(src_u, src_code[order]),
            "source_row": pd.arrays.IntegerArray(row[order], row[order] < 0),
            "exercise_raw": _strings(ex_u_obj, ex_code[order]),
            "notes": (
                _strings(notes[1], notes[0][order])
                if notes is not None
                else pd.Series(pd.NA, index=range(len(order)), dtype="string")
            ),
            "load_kind": _strings(kind_cats, kind_code[order]),
        }
    )
    return out, concat_rejects(rej, dup_rej, part_rej)


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
