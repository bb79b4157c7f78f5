"""Join trailing-window hip-flexor volume to races.

For a race on day ``d`` and a window of ``W`` days, the volume is the sum over the W days
*before* race day, ``[d − W, d − 1]``: race-day warm-ups are not training history.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import DataError
from .volume import HF_FAMILY
from .volume import day_numbers as _day_numbers
from .volume import require_columns as _require

__all__ = ["race_features", "race_table"]

FATIGUE_COLUMNS = ("first_half_s", "second_half_s", "differential_s", "velocity_loss_pct")


def _windows(windows: Iterable[int]) -> tuple[int, ...]:
    out = tuple(int(w) for w in windows)
    if not out or min(out) < 1:
        raise ValueError(f"windows must be positive whole days, got {out}")
    return out


def race_features(
    log: pd.DataFrame,
    races: pd.DataFrame,
    windows: Iterable[int] = (7, 14, 28, 42),
    *,
    require_coverage: bool = True,
) -> pd.DataFrame:
    """Hip-flexor volume of the W days before each race, and days since the last session.

    Parameters
    ----------
    log : DataFrame
        Clean training log (``athlete_id, date, family, hf_reps, hf_load_kg``).
    races : DataFrame
        Races (``race_id, athlete_id, date, ...``), any row order.
    windows : iterable of int, default (7, 14, 28, 42)
        Window lengths in days.
    require_coverage : bool, default True
        If True, a window that is not wholly inside the athlete's logged span (first to
        last log date, any family) gives NA rather than a sum that silently counts
        unlogged days as rest; races of athletes with no log at all give NA.

    Returns
    -------
    DataFrame
        ``races`` (same rows, same order) plus, per window W:

        - ``hf_reps_{W}d`` (Float64): hip-flexion reps of the window's hip-flexor entries
          whose ``hf_reps`` is known;
        - ``hf_unknown_reps_{W}d`` (Int64): the window's hip-flexor entries whose
          ``hf_reps`` is unknown (``partial`` rows). 0: ``hf_reps_{W}d`` is complete;
          more: it is a lower bound;
        - ``hf_load_kg_{W}d`` (Float64): sum of ``hf_load_kg`` over the window, **NA when
          any hip-flexor entry in the window has an unknown load** (band work, an unstated
          load, unknown reps — ``hf_load_kg`` is NA by design for those). An unknown load
          is not 0 kg, and a sum over the known part would pass a window of band work off
          as a light one. A window without any hip-flexor work is 0 kg (body-weight work
          is 0 kg too: known, no external load);
        - ``hf_unknown_load_{W}d`` (Int64): the window's hip-flexor entries whose
          ``hf_load_kg`` is unknown (why ``hf_load_kg_{W}d`` is NA);

        - ``hf_variety_{W}d`` (Float64): distinct hip-flexor exercises per hip-flexor
          session (day), averaged over the window's sessions (NA without a session): the
          article's "three different variations in one day" is 3;
        - ``srpe_load_{W}d`` (Float64): session-RPE load (RPE × minutes, Foster 2001;
          :func:`analysis.srpe.session_load`) of the window's logged days, **NA when any
          logged day in the window has no RPE or minutes** (``srpe_unknown_days_{W}d``,
          Int64, counts them); all NA for a log without RPE;

        all NA where the window is not covered (see ``require_coverage``). Then
        ``days_since_hf`` (Int64: race day minus the last day before race day with a
        hip-flexor session; NA if none) and ``log_start`` / ``log_end`` (the athlete's
        logged span).

        A hip-flexor session is a day with any ``hip_flexor`` entry, whatever its volume:
        an entry whose ``hf_reps`` is unknown (a ``partial`` row, e.g. a distance drill
        without reps-per-metre in the catalog) was still trained, so it counts for
        ``days_since_hf`` exactly as for the ``sessions`` of
        :func:`analysis.volume.daily_volume`.

    Notes
    -----
    O((n_log + n_races) log n): hip-flexor reps are summed per (athlete, day), keyed by one
    int64 ``athlete_code × B + day``, cumulatively summed, and each window is two
    ``np.searchsorted`` look-ups: ``S(d − 1) − S(d − W − 1)``. The counts of entries with
    unknown reps or load are cumulated the same way. No loop over races or athletes.
    """
    windows = _windows(windows)
    _require(log, ("athlete_id", "date", "family", "hf_reps", "hf_load_kg"))
    _require(races, ("athlete_id", "date"), name="races")
    log = log.loc[log["athlete_id"].notna() & log["date"].notna()]
    race_ok = (races["athlete_id"].notna() & races["date"].notna()).to_numpy()

    # One integer code per athlete over log and races together.
    all_ids = pd.concat([log["athlete_id"], races["athlete_id"]], ignore_index=True)
    codes, uniques = pd.factorize(all_ids.astype("string"))
    log_code = codes[: len(log)].astype(np.int64)
    race_code = codes[len(log) :].astype(np.int64)
    log_day = _day_numbers(log["date"])
    race_day = np.where(race_ok, _day_numbers(races["date"].fillna(pd.Timestamp(0))), 0)

    lo = min(log_day.min(initial=0), race_day.min(initial=0)) - max(windows) - 2
    hi = max(log_day.max(initial=0), race_day.max(initial=0)) + 2
    base = np.int64(hi - lo + 1)
    log_key = log_code * base + (log_day - lo)
    race_key = race_code * base + (race_day - lo)

    is_hf = (log["family"] == HF_FAMILY).fillna(False).to_numpy(dtype=bool)
    reps, load = (
        pd.to_numeric(log[c]).to_numpy(dtype=np.float64, na_value=np.nan)[is_hf]
        for c in ("hf_reps", "hf_load_kg")
    )
    reps_na, load_na = np.isnan(reps), np.isnan(load)  # unknown volume / unknown load
    keys, inverse = np.unique(log_key[is_hf], return_inverse=True)

    def cumulate(per_day: np.ndarray) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(per_day)))

    cum_reps = cumulate(np.bincount(inverse, weights=np.nan_to_num(reps), minlength=len(keys)))
    cum_load = cumulate(np.bincount(inverse, weights=np.nan_to_num(load), minlength=len(keys)))
    cum_reps_na = cumulate(np.bincount(inverse[reps_na], minlength=len(keys)))  # entry counts
    cum_load_na = cumulate(np.bincount(inverse[load_na], minlength=len(keys)))

    # Logged span per athlete code (any family).
    n_codes = int(codes.max(initial=-1)) + 1
    first = np.full(n_codes, np.iinfo(np.int64).max)
    last = np.full(n_codes, np.iinfo(np.int64).min)
    np.minimum.at(first, log_code, log_day)
    np.maximum.at(last, log_code, log_day)
    has_log = first[race_code] <= last[race_code]

    end = np.searchsorted(keys, race_key - 1, side="right")  # entries with day <= d - 1
    out = races.copy()
    for w in windows:
        start = np.searchsorted(keys, race_key - w - 1, side="right")  # day <= d - w - 1
        valid = race_ok & has_log
        if require_coverage:
            valid &= (first[race_code] <= race_day - w) & (race_day - 1 <= last[race_code])
        reps_na_w = cum_reps_na[end] - cum_reps_na[start]
        load_na_w = cum_load_na[end] - cum_load_na[start]
        out[f"hf_reps_{w}d"] = pd.array(
            np.where(valid, cum_reps[end] - cum_reps[start], np.nan), dtype="Float64"
        )
        out[f"hf_unknown_reps_{w}d"] = pd.Series(reps_na_w, index=out.index, dtype="Int64").where(
            valid
        )
        out[f"hf_load_kg_{w}d"] = pd.array(
            np.where(valid & (load_na_w == 0), cum_load[end] - cum_load[start], np.nan),
            dtype="Float64",
        )
        out[f"hf_unknown_load_{w}d"] = pd.Series(load_na_w, index=out.index, dtype="Int64").where(
            valid
        )
    # Variety: distinct hip-flexor exercises per session (day), averaged over the window's
    # sessions. One (day, exercise) pair counts once.
    has_exercise = "exercise" in log.columns  # a hand-made log may lack it: variety NA
    exercise = log["exercise"] if has_exercise else pd.Series(pd.NA, index=log.index)
    ex_codes, _ = pd.factorize(exercise.astype("string").to_numpy()[is_hf])
    pairs = np.unique(inverse.astype(np.int64) * (int(ex_codes.max(initial=0)) + 2) + ex_codes + 1)
    per_key = np.bincount(pairs // (int(ex_codes.max(initial=0)) + 2), minlength=len(keys))
    cum_var = cumulate(per_key)
    cum_sess = cumulate(np.ones(len(keys), dtype=np.int64))
    # Session RPE load (Foster 2001) per logged day; a logged day without it is unknown.
    from .srpe import session_load

    sl = session_load(log)
    sl_code = pd.Index(uniques).get_indexer(sl["athlete_id"].astype("string")).astype(np.int64)
    sl_key = sl_code * base + (_day_numbers(sl["date"]) - lo)
    sl_order = np.argsort(sl_key, kind="stable")
    sl_key = sl_key[sl_order]
    sl_load = sl["srpe_load"].to_numpy(dtype=np.float64, na_value=np.nan)[sl_order]
    cum_srpe = cumulate(np.nan_to_num(sl_load))
    cum_srpe_na = cumulate(np.isnan(sl_load).astype(np.int64))
    sl_end = np.searchsorted(sl_key, race_key - 1, side="right")
    for w in windows:
        start = np.searchsorted(keys, race_key - w - 1, side="right")
        valid = race_ok & has_log
        if require_coverage:
            valid &= (first[race_code] <= race_day - w) & (race_day - 1 <= last[race_code])
        n_sess = cum_sess[end] - cum_sess[start]
        with np.errstate(invalid="ignore", divide="ignore"):
            variety = (cum_var[end] - cum_var[start]) / n_sess
        out[f"hf_variety_{w}d"] = pd.array(
            np.where(valid & (n_sess > 0) & has_exercise, variety, np.nan), dtype="Float64"
        )
        sl_start = np.searchsorted(sl_key, race_key - w - 1, side="right")
        unknown = cum_srpe_na[sl_end] - cum_srpe_na[sl_start]
        out[f"srpe_load_{w}d"] = pd.array(
            np.where(valid & (unknown == 0), cum_srpe[sl_end] - cum_srpe[sl_start], np.nan),
            dtype="Float64",
        )
        out[f"srpe_unknown_days_{w}d"] = pd.Series(unknown, index=out.index, dtype="Int64").where(
            valid
        )
    # Last hip-flexor session strictly before race day, for the same athlete: any day with a
    # hip-flexor entry, whatever its volume (as daily_volume's ``sessions``).
    idx = np.searchsorted(keys, race_key - 1, side="right") - 1
    prev = keys[np.clip(idx, 0, None)] if len(keys) else np.zeros_like(race_key)
    same = (idx >= 0) & (prev // base == race_code) & race_ok
    since = race_key - prev
    out["days_since_hf"] = pd.Series(
        np.where(same, since, 0), index=out.index, dtype="Int64"
    ).where(same)
    span_ok = race_ok & has_log
    out["log_start"] = pd.Series(
        np.where(span_ok, first[race_code], 0).astype("datetime64[D]").astype("datetime64[ns]"),
        index=out.index,
    ).where(span_ok)
    out["log_end"] = pd.Series(
        np.where(span_ok, last[race_code], 0).astype("datetime64[D]").astype("datetime64[ns]"),
        index=out.index,
    ).where(span_ok)
    return out


def race_table(
    log: pd.DataFrame,
    races: pd.DataFrame,
    splits_or_fatigue: pd.DataFrame,
    windows: Iterable[int] = (7, 14, 28, 42),
    *,
    require_coverage: bool = True,
) -> pd.DataFrame:
    """One row per race: trailing-window volume features joined to fatigue metrics.

    Parameters
    ----------
    log, races : DataFrame
        Clean training log and races.
    splits_or_fatigue : DataFrame
        Either per-race fatigue metrics (with ``race_id`` and ``differential_s``) or the
        long splits table (``race_id, at_m, cum_s``), from which
        :func:`analysis.fatigue.fatigue_metrics` computes them.
    windows : iterable of int
        As in :func:`race_features`.
    require_coverage : bool, default True
        As in :func:`race_features`.

    Returns
    -------
    DataFrame
        :func:`race_features` output left-joined on ``race_id`` to the fatigue metrics
        (races without splits keep NA metrics). Only races with a ``race_id`` are kept.
    """
    if "race_id" not in races.columns or "race_id" not in splits_or_fatigue.columns:
        raise DataError("races and splits/fatigue need a race_id column", column="race_id")
    if "differential_s" in splits_or_fatigue.columns:
        fatigue = splits_or_fatigue
    elif {"at_m", "cum_s"} <= set(splits_or_fatigue.columns):
        from .fatigue import fatigue_metrics

        fatigue = fatigue_metrics(races, splits_or_fatigue)
    else:
        raise DataError(
            "expected fatigue metrics (race_id, differential_s, ...) or splits "
            "(race_id, at_m, cum_s)"
        )
    feats = race_features(log, races, windows, require_coverage=require_coverage)
    feats = feats.loc[feats["race_id"].notna()]
    extra = [c for c in fatigue.columns if c == "race_id" or c not in feats.columns]
    fat = fatigue[extra].drop_duplicates("race_id")
    return feats.merge(fat, on="race_id", how="left", validate="one_to_one").reset_index(drop=True)
