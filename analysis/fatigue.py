"""Per-race fatigue metrics from the long splits table.

Definitions (docs/architecture.md, pinned)::

    first_half_s      = cum_s at event/2
    second_half_s     = final_s - first_half_s
    differential_s    = second_half_s - first_half_s
    segment velocity  = segment length / segment time                   (m/s)
    velocity_loss_pct = (fastest segment velocity - last segment velocity)
                        / fastest segment velocity * 100

Everything is computed with ``groupby``/``shift`` on the splits table sorted by race and
mark: no per-race Python loop.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .resources import reference_path
from .schema import RACE_COLUMNS, SPLIT_COLUMNS, conform

__all__ = [
    "ELITE_SPLITS_PATH",
    "FATIGUE_COLUMNS",
    "SEGMENT_COLUMNS",
    "elite_differential",
    "fatigue_metrics",
    "load_elite_splits",
    "segment_table",
]

#: Columns of :func:`fatigue_metrics`, pinned ones first.
FATIGUE_COLUMNS: dict[str, str] = {
    "race_id": "string",
    "first_half_s": "Float64",
    "second_half_s": "Float64",
    "differential_s": "Float64",
    "velocity_loss_pct": "Float64",
    "event_m": "Int64",
    "athlete_id": "string",
    "date": "datetime64[ns]",
    "final_s": "Float64",
    "n_segments": "Int64",
    "fastest_segment": "string",
    "fastest_velocity_ms": "Float64",
    "last_velocity_ms": "Float64",
    "missing": "string",
    "velocity_loss_note": "string",
    "differential_vs_own_s": "Float64",
    "own_differential_s": "Float64",
    "elite_differential_s": "Float64",
}

#: Fewest segments for which velocity loss is shown. With two segments (one 100 m split
#: in a 200 m) the first segment holds the start and the acceleration, so the last is
#: almost always the faster one and velocity loss reads 0 whatever the athlete did
#: (38 of 39 such demo races); from three segments on there is a flying segment to
#: compare the last with.
MIN_SEGMENTS_VELOCITY_LOSS = 3

#: Fewest earlier-or-later races of the same event an athlete needs before a race's
#: differential is judged against the athlete's own usual (median) differential.
MIN_OWN_RACES = 3

#: Columns of :func:`segment_table`.
SEGMENT_COLUMNS: dict[str, str] = {
    "race_id": "string",
    "athlete_id": "string",
    "date": "datetime64[ns]",
    "event_m": "Int64",
    "segment": "Int64",
    "from_m": "Int64",
    "to_m": "Int64",
    "length_m": "Int64",
    "seg_s": "Float64",
    "cum_s": "Float64",
    "velocity_ms": "Float64",
}

#: Published split times of world-class races (see the ``source`` column of each row).
ELITE_SPLITS_PATH = reference_path("elite_splits.csv")  # package data (analysis.resources)


def _check(df: pd.DataFrame, cols: tuple[str, ...], name: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"{name} lacks column(s) {missing}", column=missing[0])


def segment_table(races: pd.DataFrame, splits: pd.DataFrame) -> pd.DataFrame:
    """Long table of race segments: one row per interval between consecutive marks.

    Parameters
    ----------
    races : DataFrame
        Races table (``race_id, athlete_id, date, event_m``, …).
    splits : DataFrame
        Splits table (``race_id, at_m, cum_s``), the finish included.

    Returns
    -------
    DataFrame
        ``race_id, athlete_id, date, event_m, segment, from_m, to_m, length_m, seg_s,
        cum_s, velocity_ms``, sorted by race and mark. Only races present in both tables.

    Notes
    -----
    ``seg_s`` = cum_s(to_m) − cum_s(from_m), with cum_s(0) = 0, so the first segment
    includes the reaction time; ``velocity_ms`` = length_m / seg_s.
    """
    _check(races, ("race_id", "athlete_id", "date", "event_m"), "races")
    _check(splits, ("race_id", "at_m", "cum_s"), "splits")
    r = races[["race_id", "athlete_id", "date", "event_m"]].drop_duplicates("race_id")
    s = splits[["race_id", "at_m", "cum_s"]].dropna()
    s = s.merge(r, on="race_id", how="inner", validate="many_to_one")
    s = s.sort_values(["race_id", "at_m"], kind="stable").reset_index(drop=True)
    g = s.groupby("race_id", sort=False)
    from_m = g["at_m"].shift(fill_value=0).astype("Int64")
    prev = g["cum_s"].shift(fill_value=0.0).astype("Float64")
    seg_s = (s["cum_s"].astype("Float64") - prev).round(3)
    length = s["at_m"].astype("Int64") - from_m
    with np.errstate(divide="ignore", invalid="ignore"):
        vel = length.astype("Float64") / seg_s.where(seg_s > 0)
    out = pd.DataFrame(
        {
            "race_id": s["race_id"],
            "athlete_id": s["athlete_id"],
            "date": s["date"],
            "event_m": s["event_m"],
            "segment": g.cumcount() + 1,
            "from_m": from_m,
            "to_m": s["at_m"],
            "length_m": length,
            "seg_s": seg_s,
            "cum_s": s["cum_s"],
            "velocity_ms": vel,
        }
    )
    return conform(out, SEGMENT_COLUMNS, name="segments")


def fatigue_metrics(
    races: pd.DataFrame, splits: pd.DataFrame, *, rejects: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per-race fatigue metrics: half-race differential and velocity loss.

    Parameters
    ----------
    races : DataFrame
        Races table (pinned ``RACE_COLUMNS``).
    splits : DataFrame
        Splits table (``race_id, at_m, cum_s``) with the finish mark.
    rejects : DataFrame, optional
        The rejects table of the same cleaning run. When given, a race whose splits were
        dropped as doubtful says so in ``missing`` ("splits dropped: splits do not
        increase") instead of "only one segment".

    Returns
    -------
    DataFrame
        One row per race, in the order of ``races``: ``race_id, first_half_s,
        second_half_s, differential_s, velocity_loss_pct`` (pinned), then ``event_m,
        athlete_id, date, final_s, n_segments, fastest_segment`` (``"100-200"``, metres),
        ``fastest_velocity_ms, last_velocity_ms`` and ``missing``: NA when the half-race
        metrics are present, else a plain-words reason (``"DNF"``, ``"no split at the
        half-way mark"``, ``"only one segment (no intermediate splits)"``, ``"no final
        time"``); ``velocity_loss_note``: why velocity loss is not shown (fewer than
        :data:`MIN_SEGMENTS_VELOCITY_LOSS` segments), NA when it is;
        ``own_differential_s``, the athlete's usual (median) differential over their
        races of the event (NA with fewer than :data:`MIN_OWN_RACES` races) and
        ``differential_vs_own_s`` = differential − that; ``elite_differential_s``, the
        mean differential of the published world-class races of the event
        (:func:`elite_differential`; of the athlete's sex when ``races`` has a ``sex``
        column).

    Notes
    -----
    With ``T`` the final time and ``t_h`` the cumulative time at ``event_m / 2``:

    .. math::

        \\text{first\\_half} = t_h,\\quad \\text{second\\_half} = T - t_h,\\quad
        \\text{differential} = (T - t_h) - t_h

    and with segment velocities ``v_i = L_i / \\Delta t_i``, ``v_{max} = \\max_i v_i`` and
    ``v_{last}`` the velocity of the segment ending at the finish:

    .. math::

        \\text{velocity\\_loss\\_pct} = 100\\,(v_{max} - v_{last}) / v_{max}

    A positive differential means the second half was slower. The half-way metrics need a
    mark at exactly ``event_m / 2``; velocity loss needs at least three segments (with
    two, the first holds the start and is nearly always the slower: the number would be 0
    for everyone). A 200 m timed only at 100 m therefore has no velocity loss; its
    differential is judged instead against references: the athlete's own usual
    differential (``differential_vs_own_s``) and world-class races
    (``elite_differential_s``; in a 200 m the second half is normally *faster*, by
    0.65–0.92 s in the published races, because the first holds the start). Marks need
    not be equally spaced.

    Examples
    --------
    >>> races, splits = load_elite_splits()
    >>> m = fatigue_metrics(races, splits).set_index("race_id")
    >>> float(m.loc["bolt-2009-berlin-200", "differential_s"])  # 9.27 - 9.92
    -0.65
    """
    _check(races, ("race_id", "athlete_id", "date", "event_m", "final_s", "status"), "races")
    seg = segment_table(races, splits)
    r = races[["race_id", "athlete_id", "date", "event_m", "final_s", "status"]].reset_index(
        drop=True
    )
    # half-way mark and finish, looked up by merge (no loop)
    half = seg.loc[seg["to_m"] * 2 == seg["event_m"], ["race_id", "cum_s"]].drop_duplicates(
        "race_id"
    )
    g = seg.groupby("race_id", sort=False)
    agg = pd.DataFrame(
        {
            "n_segments": g.size(),
            "fastest_velocity_ms": g["velocity_ms"].max(),
        }
    )
    ends = seg.loc[seg["to_m"] == seg["event_m"]].drop_duplicates("race_id", keep="last")
    ends = ends.set_index("race_id")
    agg["last_velocity_ms"] = ends["velocity_ms"]
    agg["finish_cum_s"] = ends["cum_s"]
    fastest = seg.loc[
        seg["velocity_ms"].notna()
        & (seg["velocity_ms"] == seg["race_id"].map(agg["fastest_velocity_ms"]))
    ].drop_duplicates("race_id")
    agg["fastest_segment"] = pd.Series(
        (fastest["from_m"].astype("string") + "-" + fastest["to_m"].astype("string")).to_numpy(),
        index=fastest["race_id"].to_numpy(),
        dtype="string",
    )
    if r.empty:  # no race (every result rejected): pyarrow cannot join empty string keys
        r = r.astype({"race_id": object})
        half = half.astype({"race_id": object})
        agg.index = agg.index.astype(object)
    out = r.merge(half.rename(columns={"cum_s": "first_half_s"}), on="race_id", how="left")
    out = out.merge(agg, left_on="race_id", right_index=True, how="left")
    final = out["final_s"].astype("Float64").fillna(out["finish_cum_s"].astype("Float64"))
    ok = out["status"].fillna("ok") == "ok"
    final = final.where(ok)
    first = out["first_half_s"].astype("Float64").where(ok)
    second = (final - first).round(3)
    diff = (second - first).round(3)
    nseg = out["n_segments"].astype("Int64").fillna(0)
    vmax = out["fastest_velocity_ms"].astype("Float64")
    vlast = out["last_velocity_ms"].astype("Float64")
    loss = (100 * (vmax - vlast) / vmax).where(ok & (nseg >= MIN_SEGMENTS_VELOCITY_LOSS)).round(3)
    vl_note = pd.Series(pd.NA, index=out.index, dtype="string").mask(
        ok & nseg.eq(2),
        "not shown: two segments only, and the first holds the start, so the last is "
        "nearly always faster (velocity loss needs 3 or more segments, e.g. 50 m splits)",
    )
    vl_note = vl_note.mask(ok & nseg.le(1), "not shown: no intermediate splits")
    vl_note = vl_note.mask(~ok, "not shown: " + out["status"].astype("string"))

    missing = pd.Series(pd.NA, index=out.index, dtype="string")
    missing = missing.mask(first.isna() & ok & nseg.ge(2), "no split at the half-way mark")
    missing = missing.mask(ok & nseg.eq(1), "only one segment (no intermediate splits)")
    missing = missing.mask(ok & final.isna(), "no final time")
    missing = missing.mask(ok & nseg.eq(0) & final.notna(), "no splits")
    if rejects is not None and len(rejects) and {"source", "source_row"} <= set(races.columns):
        col = rejects["column"].astype("string").fillna("")
        dropped = rejects.loc[
            (rejects["kind"] == "partial")
            & (col.isin(["splits", "segments"]) | col.str.startswith("split_"))
        ].drop_duplicates(["source", "source_row"])
        why = (
            races[["source", "source_row"]]
            .reset_index(drop=True)
            .merge(
                dropped[["source", "source_row", "reason"]], on=["source", "source_row"], how="left"
            )["reason"]
        )
        why = ("splits dropped: " + why.astype("string")).set_axis(out.index)
        missing = missing.mask(ok & nseg.le(1) & why.notna(), why)
    missing = missing.mask(~ok, out["status"].astype("string"))
    res = pd.DataFrame(
        {
            "race_id": out["race_id"],
            "first_half_s": first,
            "second_half_s": second,
            "differential_s": diff,
            "velocity_loss_pct": loss,
            "event_m": out["event_m"],
            "athlete_id": out["athlete_id"],
            "date": out["date"],
            "final_s": final,
            "n_segments": nseg,
            "fastest_segment": out["fastest_segment"].where(ok),
            "fastest_velocity_ms": vmax.where(ok).round(4),
            "last_velocity_ms": vlast.where(ok).round(4),
            "missing": missing,
            "velocity_loss_note": vl_note,
        }
    )
    res = _judge_differential(res, races)
    return conform(res, FATIGUE_COLUMNS, name="fatigue")


def _judge_differential(res: pd.DataFrame, races: pd.DataFrame) -> pd.DataFrame:
    """The differential against the athlete's own usual and the elite reference."""
    diff = res["differential_s"].astype("Float64")
    key = [res["athlete_id"].astype("string"), res["event_m"].astype("Int64")]
    grp = diff.groupby(key, dropna=False)
    n_own = grp.transform("count")
    own = grp.transform("median").where(n_own >= MIN_OWN_RACES).astype("Float64")
    sex = None
    if "sex" in races.columns:
        sex = races.drop_duplicates("race_id").set_index("race_id")["sex"]
        sex = res["race_id"].map(sex).astype("string").str.upper().str[:1]
    elite = pd.Series(
        [elite_differential(int(e), s) if pd.notna(e) else np.nan
         for e, s in zip(res["event_m"], sex if sex is not None else [None] * len(res), strict=True)],
        index=res.index, dtype="Float64",
    ) if len(res) else pd.Series([], dtype="Float64")  # fmt: skip
    return res.assign(
        differential_vs_own_s=(diff - own).round(3),
        own_differential_s=own.round(3),
        elite_differential_s=elite.round(3),
    )


_ELITE_DIFF: dict[tuple[int, str | None], float] = {}


def elite_differential(event_m: int, sex: str | None = None) -> float:
    """Mean differential (second half − first half, s) of the published world-class races
    of ``event_m`` in :data:`ELITE_SPLITS_PATH` (of ``sex`` ``"M"``/``"F"`` when given and
    present, else of both); NaN when the reference has no such race.

    Examples
    --------
    >>> round(elite_differential(200), 2)  # Bolt -0.65, Johnson -0.92, Thomas -0.81
    -0.79
    """
    key = (int(event_m), sex if sex in ("M", "F") else None)
    if key not in _ELITE_DIFF:
        if not _ELITE_DIFF:
            er, es = load_elite_splits()
            fm = _half_differentials(er, es)
            fm = fm.assign(sex=er.set_index("race_id").loc[fm["race_id"], "sex"].to_numpy())
            for (ev, sx), part in fm.groupby(["event_m", "sex"]):
                _ELITE_DIFF[(int(ev), str(sx))] = float(part["differential_s"].mean())
            for ev, part in fm.groupby("event_m"):
                _ELITE_DIFF[(int(ev), None)] = float(part["differential_s"].mean())
        if key not in _ELITE_DIFF:
            return _ELITE_DIFF.get((key[0], None), float("nan"))
    return _ELITE_DIFF[key]


def _half_differentials(races: pd.DataFrame, splits: pd.DataFrame) -> pd.DataFrame:
    """Half-race metrics only (no reference columns): first half, second half, differential."""
    seg = segment_table(races, splits)
    half = seg.loc[seg["to_m"] * 2 == seg["event_m"], ["race_id", "cum_s"]].drop_duplicates(
        "race_id"
    )
    r = races[["race_id", "event_m", "final_s"]].merge(half, on="race_id", how="inner")
    first = r["cum_s"].astype("Float64")
    diff = (r["final_s"].astype("Float64") - first) - first
    return pd.DataFrame({"race_id": r["race_id"], "event_m": r["event_m"], "differential_s": diff})


def load_elite_splits(
    path: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Published splits of world-class races as ``(races, splits)`` in the pinned shapes.

    Parameters
    ----------
    path : path, optional
        A CSV in the long format ``race, athlete, sex, event_m, date, at_m, cum_s,
        source``; default :data:`ELITE_SPLITS_PATH`.

    Returns
    -------
    races, splits
        ``races`` has the pinned columns (``race_id`` = the ``race`` column, ``athlete_id``
        = the athlete's name, ``timing`` FAT, ``status`` ok, ``final_s`` = the mark at
        ``event_m``) plus ``athlete``, ``sex`` and ``reference`` (the citation); ``splits``
        has one row per published mark, the finish included.

    Raises
    ------
    DataError
        The file is missing a column, a race has no finish mark, or its rows disagree.
    """
    p = Path(path) if path is not None else ELITE_SPLITS_PATH
    try:
        df = pd.read_csv(
            p,
            dtype={
                "race": "string",
                "athlete": "string",
                "sex": "string",
                "source": "string",
                "date": "string",
            },
        )
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read elite splits ({exc})", file=str(p)) from None
    _check(df, ("race", "athlete", "sex", "event_m", "date", "at_m", "cum_s", "source"), p.name)
    df = df.assign(
        event_m=pd.to_numeric(df["event_m"], errors="coerce").astype("Int64"),
        at_m=pd.to_numeric(df["at_m"], errors="coerce").astype("Int64"),
        cum_s=pd.to_numeric(df["cum_s"], errors="coerce").astype("Float64"),
        date=pd.to_datetime(df["date"], errors="coerce", format="%Y-%m-%d"),
    )
    if df[["event_m", "at_m", "cum_s", "date"]].isna().any().any():
        raise DataError("non-numeric mark, time or date in elite splits", file=p.name)
    fin = df.loc[df["at_m"] == df["event_m"]].drop_duplicates("race")
    lacking = sorted(set(df["race"]) - set(fin["race"]))
    if lacking:
        raise DataError(f"race(s) without a finish mark: {lacking}", file=p.name)
    races = pd.DataFrame(
        {
            "race_id": fin["race"],
            "athlete_id": fin["athlete"],
            "date": fin["date"].astype("datetime64[ns]"),
            "event_m": fin["event_m"],
            "final_s": fin["cum_s"],
            "timing": "FAT",
            "status": "ok",
            "wind_ms": pd.NA,
            "meet": pd.NA,
            "round": "final",
            "source": p.name,
            "source_row": (fin.index.to_numpy() + 2),
            "athlete": fin["athlete"],
            "sex": fin["sex"],
            "reference": fin["source"],
        }
    )
    splits = df.rename(columns={"race": "race_id"})[["race_id", "at_m", "cum_s"]]
    splits = splits.sort_values(["race_id", "at_m"], kind="stable")
    return conform(races, RACE_COLUMNS, name="elite races"), conform(
        splits, SPLIT_COLUMNS, name="elite splits"
    )
