"""Clean coaches' training logs into the pinned training-log table: :func:`clean_training_log`.

Every raw row ends in exactly one place: the clean table, or ``rejects`` as ``rejected``
(with the first reason found, in the order athlete, date, exercise, prescription,
plausibility) or as ``duplicate`` (the same entry already taken from another file).
Rows kept with one doubtful derived value are also named in ``rejects`` as ``partial``.

Every parser runs once per distinct raw value (or distinct combination of prescription
cells): coach logs repeat a handful of spellings many times.
"""

from __future__ import annotations

import pandas as pd

from .catalog import load_catalog, match_exercises
from .dates import parse_dates
from .errors import DataError
from .io import LOG_SYNONYMS, canonicalize_columns
from .names import resolve_athletes
from .prescription import parse_entries
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


def _text(series: pd.Series) -> pd.Series:
    """Raw cells as stripped strings, NA for empty."""
    s = series.astype("string").str.strip()
    return s.mask(s == "", pd.NA)


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
    ``unmapped`` entries count 0. ``hf_load_kg = hf_reps × load_kg``: 0 for body weight,
    missing for a band or an unstated load. ``reps`` is reps per set (the mean when the
    sets differ).

    A hip-flexor distance or timed entry whose catalog row lacks the factor keeps
    ``hf_reps`` missing and is named in rejects as ``partial``. A mobility or unmapped entry
    with no prescription is kept (its volume is irrelevant to ``hf_reps``).

    The same entry (athlete, date, exercise and prescription) found in a second *file* is
    counted once: the later copy is a ``duplicate`` reject naming the kept one. Repeats
    within one file are kept (a drill done twice in a session).
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
    if "source" not in df:
        df["source"] = "<data>"
    if "source_row" not in df:
        df["source_row"] = range(2, len(df) + 2)
    if len(df) == 0:
        return _empty_log(), empty(REJECT_COLUMNS)
    source = df["source"].astype("string").fillna("<data>")
    source_row = pd.to_numeric(df["source_row"], errors="coerce").astype("Int64")

    athlete_raw = _text(df["athlete"])
    exercise_raw = _text(df["exercise"])
    ids, athlete_reason = resolve_athletes(athlete_raw, roster)
    dates, date_reason = parse_dates(
        _text(df["date"]), sources=source, rows=source_row, dayfirst=dayfirst, today=today
    )
    ex = match_exercises(exercise_raw, catalog)
    p = parse_entries({c: _text(df[c]) for c in PRESCRIPTION_COLUMNS if c in df.columns}, df.index)
    family = ex["family"]
    is_hf = (family == "hip_flexor").fillna(False)

    # ---------------------------------------------------------------- the first failure
    reason = pd.Series(pd.NA, index=df.index, dtype="string")
    column = pd.Series(pd.NA, index=df.index, dtype="string")
    value = pd.Series(pd.NA, index=df.index, dtype="string")

    def fail(mask: pd.Series, why: pd.Series | str, col: pd.Series | str, val: pd.Series) -> None:
        m = (mask.fillna(False) & reason.isna()).astype(bool)
        if not m.any():
            return
        reason[m] = why[m] if isinstance(why, pd.Series) else why
        column[m] = col[m] if isinstance(col, pd.Series) else col
        value[m] = val[m]

    fail(athlete_reason.notna(), athlete_reason, "athlete", athlete_raw)
    fail(date_reason.notna(), date_reason, "date", _text(df["date"]))
    fail(exercise_raw.isna() | family.isna(), "missing exercise", "exercise", exercise_raw)
    # a missing prescription only matters where hip-flexion reps are counted
    absent = (p["error"] == "missing prescription").fillna(False).astype(bool)
    fail(
        p["error"].notna() & (~absent | is_hf),
        p["error"],
        p["error_column"],
        p["error_value"],
    )
    p_ok = p["error"].isna()
    described = _describe(df)
    p_text = p["error_value"].fillna(described)
    fail(p_ok & ((p["sets"] < 1) | (p["sets"] > MAX_SETS)), "implausible sets", "sets", p_text)
    fail(
        p_ok & ((p["reps"] <= 0) | (p["reps"] > MAX_REPS_PER_SET)),
        "implausible reps",
        "reps",
        p_text,
    )
    fail(
        p_ok & ((p["distance_m"] <= 0) | (p["distance_m"] > MAX_DISTANCE_M)),
        "implausible distance",
        "distance",
        p_text,
    )
    fail(
        p_ok & ((p["duration_s"] <= 0) | (p["duration_s"] > MAX_DURATION_S)),
        "implausible duration",
        "duration",
        p_text,
    )
    fail(p_ok & (p["load_kg"] < 0), "negative load", "load", p_text)
    fail(p_ok & (p["load_kg"] > MAX_LOAD_KG), "implausible load", "load", p_text)
    bad = reason.notna()

    # ---------------------------------------------------------------- derived volume
    keep_p = ~absent  # a kept entry without prescription: volume fields stay missing
    sets = p["sets"].where(keep_p)
    reps = p["reps"].where(keep_p)
    dist = p["distance_m"].where(keep_p)
    dur = p["duration_s"].where(keep_p)
    per_leg = p["per_leg"].where(keep_p, False).fillna(False)
    sets_f = sets.astype("Float64")
    leg = per_leg.astype("Float64") + 1.0
    hf = (sets_f * reps).fillna(sets_f * dist * ex["reps_per_m"]).fillna(
        sets_f * dur * ex["reps_per_s"]
    ) * leg
    hf = hf.where(is_hf, 0.0)
    no_factor = is_hf & hf.isna() & ~bad
    load_kg = p["load_kg"].where(keep_p)

    clean = pd.DataFrame(
        {
            "athlete_id": ids,
            "date": dates,
            "exercise": ex["exercise"],
            "family": family,
            "sets": sets,
            "reps": reps,
            "distance_m": dist,
            "duration_s": dur,
            "load_kg": load_kg,
            "per_leg": per_leg.astype("boolean"),
            "hf_reps": hf,
            "hf_load_kg": (hf * load_kg).where(is_hf, 0.0),
            "source": source,
            "source_row": source_row,
            "exercise_raw": exercise_raw,
            "notes": _text(df["notes"]) if "notes" in df else pd.NA,
            "load_kind": p["load_kind"].where(keep_p),
        }
    )

    # ---------------------------------------------------------------- duplicates across files
    good = clean[~bad]
    key = good[
        ["athlete_id", "date", "sets", "reps", "distance_m", "duration_s", "load_kg", "per_leg"]
    ].assign(
        what=good["exercise"].fillna(good["exercise_raw"].str.casefold()),
        load_kind=good["load_kind"],
    )
    group = key.groupby(list(key.columns), dropna=False, sort=False).ngroup()
    pos = pd.Series(range(len(good)), index=good.index)
    first_pos = pos.groupby(group.to_numpy()).transform("first")
    first_src = good["source"].to_numpy()[first_pos.to_numpy()]
    first_row = good["source_row"].to_numpy()[first_pos.to_numpy()]
    dup = pd.Series(good["source"].to_numpy() != first_src, index=good.index)

    # ---------------------------------------------------------------- rejects
    rej = rejects_frame(
        clean[bad],
        column=column[bad],
        value=value[bad],
        reason=reason[bad],
        table="log",
        kind="rejected",
        athlete_id=ids[bad],
    )
    dups = good[dup.to_numpy()]
    dup_rej = rejects_frame(
        dups,
        column="",
        value=pd.Series(
            [f"same as {s} row {r}" for s, r in zip(first_src[dup], first_row[dup], strict=True)],
            index=dups.index,
            dtype="string",
        ),
        reason="duplicate entry",
        table="log",
        kind="duplicate",
        athlete_id=dups["athlete_id"],
    )
    kept = good[~dup.to_numpy()]
    part = kept[no_factor[kept.index]]
    part_rej = rejects_frame(
        part,
        column="exercise",
        value=part["exercise"] + " " + described[part.index],
        reason=pd.Series(
            [
                "no reps per metre in catalog" if pd.notna(d) else "no reps per second in catalog"
                for d in part["distance_m"]
            ],
            index=part.index,
            dtype="string",
        ),
        table="log",
        kind="partial",
        athlete_id=part["athlete_id"],
    )
    out = conform(kept, LOG_COLUMNS, name="training log")
    out = out.sort_values(
        ["athlete_id", "date", "source", "source_row"], kind="stable"
    ).reset_index(drop=True)
    return out, concat_rejects(rej, dup_rej, part_rej)


def _describe(df: pd.DataFrame) -> pd.Series:
    """The prescription cells of each row as one readable string (for reject values)."""
    cols = [c for c in PRESCRIPTION_COLUMNS if c in df.columns]
    parts = [_text(df[c]).fillna("") for c in cols]
    out = parts[0]
    for c, s in zip(cols[1:], parts[1:], strict=True):
        out = out.str.cat(s.mask(s == "", "").radd(f" {c}=").where(s != "", ""))
    return out.str.strip().astype("string")


__all__ = ["MAX_LOAD_KG", "MAX_REPS_PER_SET", "MAX_SETS", "clean_training_log"]
