"""Join trailing-window hip-flexor volume to races.

For a race on day ``d`` and a window of ``W`` days, the volume is the sum over the W days
*before* race day, ``[d − W, d − 1]``: race-day warm-ups are not training history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DataError
from .fatigue import fatigue_metrics
from .srpe import session_load
from .volume import HF_FAMILY, day_numbers, require_columns

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
    require_columns(log, ("athlete_id", "date", "family", "hf_reps", "hf_load_kg"))
    require_columns(races, ("athlete_id", "date"), name="races")
    log = log.loc[log["athlete_id"].notna() & log["date"].notna()]
    keys = _day_keys(log, races, windows)
    hf = _hf_days(log, keys)
    span = _logged_span(keys)
    out = races.copy()
    cover = {w: _covered(keys, span, w, require_coverage) for w in windows}
    for name, column in _volume_columns(hf, keys, cover, out.index).items():
        out[name] = column
    for name, column in _variety_and_srpe_columns(log, hf, keys, cover, out.index).items():
        out[name] = column
    for name, column in _since_and_span_columns(hf, keys, span, out.index).items():
        out[name] = column
    return out


def _cumulate(per_day: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(per_day)))


@dataclass(frozen=True)
class _Keys:
    """One int64 key per (athlete, day), ``code × base + (day − lo)``, for log and races."""

    uniques: pd.Index  # the athletes (as text) of the codes, log and races together
    n_codes: int
    log_code: np.ndarray
    log_day: np.ndarray
    race_code: np.ndarray
    race_day: np.ndarray
    race_ok: np.ndarray  # the race has an athlete and a date
    base: np.int64
    lo: int
    log_key: np.ndarray
    race_key: np.ndarray


def _day_keys(log: pd.DataFrame, races: pd.DataFrame, windows: tuple[int, ...]) -> _Keys:
    """One integer code per athlete over log and races together, and the day keys."""
    race_ok = (races["athlete_id"].notna() & races["date"].notna()).to_numpy()
    all_ids = pd.concat([log["athlete_id"], races["athlete_id"]], ignore_index=True)
    codes, uniques = pd.factorize(all_ids.astype("string"))
    log_code = codes[: len(log)].astype(np.int64)
    race_code = codes[len(log) :].astype(np.int64)
    log_day = day_numbers(log["date"])
    race_day = np.where(race_ok, day_numbers(races["date"].fillna(pd.Timestamp(0))), 0)

    lo = min(log_day.min(initial=0), race_day.min(initial=0)) - max(windows) - 2
    hi = max(log_day.max(initial=0), race_day.max(initial=0)) + 2
    base = np.int64(hi - lo + 1)
    return _Keys(
        uniques=pd.Index(uniques),
        n_codes=int(codes.max(initial=-1)) + 1,
        log_code=log_code,
        log_day=log_day,
        race_code=race_code,
        race_day=race_day,
        race_ok=race_ok,
        base=base,
        lo=lo,
        log_key=log_code * base + (log_day - lo),
        race_key=race_code * base + (race_day - lo),
    )


@dataclass(frozen=True)
class _HfDays:
    """The days with hip-flexor work (sorted keys) and cumulative sums over them."""

    is_hf: np.ndarray  # the log rows of the hip-flexor family
    keys: np.ndarray
    inverse: np.ndarray  # the key of each hip-flexor row
    cum_reps: np.ndarray
    cum_load: np.ndarray
    cum_reps_na: np.ndarray  # entries of unknown reps / load, cumulated
    cum_load_na: np.ndarray
    end: np.ndarray  # per race: the days before race day (day <= d − 1)


def _hf_days(log: pd.DataFrame, k: _Keys) -> _HfDays:
    """Hip-flexor reps and load summed per (athlete, day) and cumulated."""
    is_hf = (log["family"] == HF_FAMILY).fillna(False).to_numpy(dtype=bool)
    reps, load = (
        pd.to_numeric(log[c]).to_numpy(dtype=np.float64, na_value=np.nan)[is_hf]
        for c in ("hf_reps", "hf_load_kg")
    )
    reps_na, load_na = np.isnan(reps), np.isnan(load)  # unknown volume / unknown load
    keys, inverse = np.unique(k.log_key[is_hf], return_inverse=True)
    n = len(keys)
    return _HfDays(
        is_hf=is_hf,
        keys=keys,
        inverse=inverse,
        cum_reps=_cumulate(np.bincount(inverse, weights=np.nan_to_num(reps), minlength=n)),
        cum_load=_cumulate(np.bincount(inverse, weights=np.nan_to_num(load), minlength=n)),
        cum_reps_na=_cumulate(np.bincount(inverse[reps_na], minlength=n)),  # entry counts
        cum_load_na=_cumulate(np.bincount(inverse[load_na], minlength=n)),
        end=np.searchsorted(keys, k.race_key - 1, side="right"),  # entries with day <= d - 1
    )


@dataclass(frozen=True)
class _Span:
    """Each athlete code's logged span (first and last log day, any family)."""

    first: np.ndarray
    last: np.ndarray
    has_log: np.ndarray  # per race: its athlete has a log


def _logged_span(k: _Keys) -> _Span:
    first = np.full(k.n_codes, np.iinfo(np.int64).max)
    last = np.full(k.n_codes, np.iinfo(np.int64).min)
    np.minimum.at(first, k.log_code, k.log_day)
    np.maximum.at(last, k.log_code, k.log_day)
    return _Span(first, last, first[k.race_code] <= last[k.race_code])


def _covered(k: _Keys, span: _Span, w: int, require_coverage: bool) -> np.ndarray:
    """Per race: the window of ``w`` days has a value (see ``require_coverage``)."""
    valid = k.race_ok & span.has_log
    if require_coverage:
        valid &= (span.first[k.race_code] <= k.race_day - w) & (
            k.race_day - 1 <= span.last[k.race_code]
        )
    return valid


def _volume_columns(
    hf: _HfDays, k: _Keys, cover: dict[int, np.ndarray], index: pd.Index
) -> dict[str, object]:
    """Per window: hip-flexor reps and load, and the entries of unknown reps and load."""
    cols: dict[str, object] = {}
    end = hf.end
    for w, valid in cover.items():
        start = np.searchsorted(hf.keys, k.race_key - w - 1, side="right")  # day <= d - w - 1
        reps_na_w = hf.cum_reps_na[end] - hf.cum_reps_na[start]
        load_na_w = hf.cum_load_na[end] - hf.cum_load_na[start]
        cols[f"hf_reps_{w}d"] = pd.array(
            np.where(valid, hf.cum_reps[end] - hf.cum_reps[start], np.nan), dtype="Float64"
        )
        cols[f"hf_unknown_reps_{w}d"] = pd.Series(reps_na_w, index=index, dtype="Int64").where(
            valid
        )
        cols[f"hf_load_kg_{w}d"] = pd.array(
            np.where(valid & (load_na_w == 0), hf.cum_load[end] - hf.cum_load[start], np.nan),
            dtype="Float64",
        )
        cols[f"hf_unknown_load_{w}d"] = pd.Series(load_na_w, index=index, dtype="Int64").where(
            valid
        )
    return cols


def _variety_and_srpe_columns(
    log: pd.DataFrame, hf: _HfDays, k: _Keys, cover: dict[int, np.ndarray], index: pd.Index
) -> dict[str, object]:
    """Per window: hip-flexor variety per session, and session-RPE load with its days of
    unknown load."""
    # Variety: distinct hip-flexor exercises per session (day), averaged over the window's
    # sessions. One (day, exercise) pair counts once.
    has_exercise = "exercise" in log.columns  # a hand-made log may lack it: variety NA
    exercise = log["exercise"] if has_exercise else pd.Series(pd.NA, index=log.index)
    ex_codes, _ = pd.factorize(exercise.astype("string").to_numpy()[hf.is_hf])
    width = int(ex_codes.max(initial=0)) + 2
    pairs = np.unique(hf.inverse.astype(np.int64) * width + ex_codes + 1)
    cum_var = _cumulate(np.bincount(pairs // width, minlength=len(hf.keys)))
    cum_sess = _cumulate(np.ones(len(hf.keys), dtype=np.int64))
    # Session RPE load (Foster 2001) per logged day; a logged day without it is unknown.
    sl = session_load(log)
    sl_code = k.uniques.get_indexer(sl["athlete_id"].astype("string")).astype(np.int64)
    sl_key = sl_code * k.base + (day_numbers(sl["date"]) - k.lo)
    sl_order = np.argsort(sl_key, kind="stable")
    sl_key = sl_key[sl_order]
    sl_load = sl["srpe_load"].to_numpy(dtype=np.float64, na_value=np.nan)[sl_order]
    cum_srpe = _cumulate(np.nan_to_num(sl_load))
    cum_srpe_na = _cumulate(np.isnan(sl_load).astype(np.int64))
    sl_end = np.searchsorted(sl_key, k.race_key - 1, side="right")
    cols: dict[str, object] = {}
    end = hf.end
    for w, valid in cover.items():
        start = np.searchsorted(hf.keys, k.race_key - w - 1, side="right")
        n_sess = cum_sess[end] - cum_sess[start]
        with np.errstate(invalid="ignore", divide="ignore"):
            variety = (cum_var[end] - cum_var[start]) / n_sess
        cols[f"hf_variety_{w}d"] = pd.array(
            np.where(valid & (n_sess > 0) & has_exercise, variety, np.nan), dtype="Float64"
        )
        sl_start = np.searchsorted(sl_key, k.race_key - w - 1, side="right")
        unknown = cum_srpe_na[sl_end] - cum_srpe_na[sl_start]
        cols[f"srpe_load_{w}d"] = pd.array(
            np.where(valid & (unknown == 0), cum_srpe[sl_end] - cum_srpe[sl_start], np.nan),
            dtype="Float64",
        )
        cols[f"srpe_unknown_days_{w}d"] = pd.Series(unknown, index=index, dtype="Int64").where(
            valid
        )
    return cols


def _since_and_span_columns(
    hf: _HfDays, k: _Keys, span: _Span, index: pd.Index
) -> dict[str, object]:
    """Days since the last hip-flexor session, and the athlete's logged span."""
    # Last hip-flexor session strictly before race day, for the same athlete: any day with a
    # hip-flexor entry, whatever its volume (as daily_volume's ``sessions``).
    keys, race_key = hf.keys, k.race_key
    idx = np.searchsorted(keys, race_key - 1, side="right") - 1
    prev = keys[np.clip(idx, 0, None)] if len(keys) else np.zeros_like(race_key)
    same = (idx >= 0) & (prev // k.base == k.race_code) & k.race_ok
    since = race_key - prev
    span_ok = k.race_ok & span.has_log

    def day_column(days: np.ndarray) -> pd.Series:
        return pd.Series(
            np.where(span_ok, days[k.race_code], 0)
            .astype("datetime64[D]")
            .astype("datetime64[ns]"),
            index=index,
        ).where(span_ok)

    return {
        "days_since_hf": pd.Series(np.where(same, since, 0), index=index, dtype="Int64").where(
            same
        ),
        "log_start": day_column(span.first),
        "log_end": day_column(span.last),
    }


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
