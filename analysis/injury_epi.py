"""Descriptive injury epidemiology and the flexor : extensor balance.

What the consensus statements ask for first (Timpka et al. 2014, Br J Sports Med 48:483;
Bahr et al. 2020, Br J Sports Med 54:372), computed from ``ds.injuries`` and the log:

* **exposure** — athlete-days at risk: each athlete's days from their first to their last
  day in the data (log or race), minus the days lost to injury (an injured athlete is not
  at risk); and **hours** where the log carries session minutes (the sum of each logged
  day's longest ``session_min``, a day without minutes counted at the athlete's mean
  session when at least half the days have them) — else hours are not known and no
  per-1000 h rate is shown;
* **incidence** — injuries per 1000 athlete-days (and per 1000 h where hours are known),
  and per athlete-season (injuries per athlete over the data's span);
* **burden** — days lost per 1000 athlete-days (per 1000 h where known): incidence ×
  mean severity (Bahr, Clarsen & Ekstrand 2018, Br J Sports Med 52:1018);
* by location, by squad or sex, recurrences, and the incidence × severity risk matrix.

Small cells (the privacy rule, :data:`MIN_ATHLETES`): a row of a squad or cohort table whose
injuries come from fewer than :data:`MIN_ATHLETES` different athletes, or a group of fewer
than :data:`MIN_GROUP` athletes, shows no count, rate or days lost (``suppressed``); when
exactly one row of a table is suppressed, the next smallest is too, so the total cannot
give it away by subtraction.

The **flexor : extensor balance** (:func:`flexor_extensor_balance`) is, per athlete and
week, hip-flexion reps (``hf_reps``, the log's count) divided by posterior-chain reps (sets ×
reps of ``hip_extensor`` entries, doubled when logged per leg). It counts repetitions, not
force, torque or load: it says how the work was split, not how strong either side is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "MIN_ATHLETES",
    "MIN_GROUP",
    "exposure",
    "family_volume",
    "family_window_volume",
    "flexor_extensor_balance",
    "injury_rates",
    "suppress_small_cells",
]

#: A squad/cohort table row needs injuries of at least this many different athletes.
MIN_ATHLETES = 3
#: A squad/cohort group row needs at least this many athletes.
MIN_GROUP = 5
#: Share of an athlete's logged days that need session minutes for hours to be estimated.
MIN_TIMED_SHARE = 0.5
#: Weeks of an athlete with a ratio before "far from usual" is judged.
BALANCE_MIN_WEEKS = 4
#: |log2(week / usual)| at or above this is "far from usual" (1 = doubled or halved).
BALANCE_FAR_LOG2 = 1.0


def _entry_reps(log: pd.DataFrame) -> pd.Series:
    """Repetitions of each entry: sets × reps, doubled when logged per leg (NA when unknown)."""
    sets = log["sets"].astype("Float64")
    reps = log["reps"].astype("Float64")
    per_leg = log["per_leg"].astype("boolean").fillna(False)
    return (sets * reps * per_leg.map({True: 2.0, False: 1.0}).astype("Float64")).astype("Float64")


def family_volume(log: pd.DataFrame, *, freq: str = "W-SUN") -> pd.DataFrame:
    """Volume per athlete, week and catalog family.

    Parameters
    ----------
    log
        The clean training log.
    freq
        Period (default: weeks Monday–Sunday, labelled by their Monday).

    Returns
    -------
    DataFrame
        ``athlete_id, week, family, entries, reps, metres, hf_reps``: ``reps`` = sets × reps
        (doubled per leg) of rep-based entries, ``metres`` = sets × distance of distance
        entries (sprints, bounds, A's), ``hf_reps`` the log's hip-flexion reps.
    """
    cols = ["athlete_id", "week", "family", "entries", "reps", "metres", "hf_reps"]
    if log.empty:
        return pd.DataFrame(columns=cols)
    week = log["date"].dt.to_period(freq).dt.start_time
    metres = (log["sets"].astype("Float64") * log["distance_m"].astype("Float64")).fillna(0.0)
    df = pd.DataFrame(
        {
            "athlete_id": log["athlete_id"].astype("string"),
            "week": week,
            "family": log["family"].astype("string").fillna("unmapped"),
            "entries": 1,
            "reps": _entry_reps(log).fillna(0.0),
            "metres": metres,
            "hf_reps": log["hf_reps"].astype("Float64").fillna(0.0),
        }
    )
    out = df.groupby(["athlete_id", "week", "family"], observed=True, as_index=False).sum()
    return out[cols]


def family_window_volume(
    log: pd.DataFrame,
    at: pd.DataFrame,
    *,
    window_days: int = 28,
    families: tuple[str, ...] = ("hip_flexor", "hip_extensor", "other_strength", "sprint"),
) -> pd.DataFrame:
    """Volume per family over the ``window_days`` days before each row of ``at``.

    Parameters
    ----------
    log
        The clean training log.
    at
        Rows with ``athlete_id`` and ``date`` (a race day, an injury's onset, any day).
    window_days
        W: the days ``date − W`` to ``date − 1`` count (the day itself does not), as in
        :func:`analysis.race_features`.
    families
        Catalog families to sum.

    Returns
    -------
    DataFrame
        ``at`` with one column per family, ``{family}_{W}d``: hip-flexion reps for
        ``hip_flexor`` (the log's ``hf_reps``), metres for ``sprint``, sets × reps (per leg
        doubled) for the others; 0 where nothing was logged.
    """
    w = int(window_days)
    out = at.copy()
    vol = pd.DataFrame(
        {
            "athlete_id": log["athlete_id"].astype("string"),
            "date": log["date"].dt.normalize().astype("datetime64[ns]"),
            "family": log["family"].astype("string"),
            "value": np.where(
                log["family"] == "hip_flexor",
                log["hf_reps"].astype("Float64").fillna(0.0).to_numpy(float),
                np.where(
                    log["family"] == "sprint",
                    (log["sets"].astype("Float64") * log["distance_m"].astype("Float64"))
                    .fillna(0.0)
                    .to_numpy(float),
                    _entry_reps(log).fillna(0.0).to_numpy(float),
                ),
            ),
        }
    )
    keys = pd.DataFrame(
        {
            "athlete_id": out["athlete_id"].astype("string"),
            "date": pd.to_datetime(out["date"]).astype("datetime64[ns]"),
        }
    )
    for fam in families:
        daily = (
            vol[vol["family"] == fam].groupby(["athlete_id", "date"], as_index=False)["value"].sum()
        )
        daily = daily.sort_values(["date"], kind="stable")
        daily["cum"] = daily.groupby("athlete_id")["value"].cumsum()

        def cum_before(day: pd.Series, daily=daily) -> np.ndarray:
            q = pd.DataFrame({"athlete_id": keys["athlete_id"], "date": day, "i": range(len(day))})
            q = q.sort_values("date", kind="stable")
            m = pd.merge_asof(q, daily[["athlete_id", "date", "cum"]], on="date",
                              by="athlete_id", direction="backward", allow_exact_matches=False)  # fmt: skip
            return m.sort_values("i")["cum"].fillna(0.0).to_numpy(float)

        # sum of days d-W .. d-1 = cum(before d) - cum(before d-W)
        total = cum_before(keys["date"]) - cum_before(keys["date"] - pd.Timedelta(days=w))
        out[f"{fam}_{w}d"] = total
    return out


def flexor_extensor_balance(log: pd.DataFrame) -> pd.DataFrame:
    """The flexor : extensor balance per athlete and week, and how far it is from usual.

    Returns
    -------
    DataFrame
        ``athlete_id, week, flexor_reps, extensor_reps, ratio, log2_ratio, usual_ratio,
        far_from_usual``, one row per athlete and week with any logged entry. ``ratio`` =
        ``flexor_reps / extensor_reps`` (NA in a week with no extensor reps);
        ``usual_ratio`` is 2 to the median ``log2_ratio`` of the athlete's *earlier* weeks
        (NA until :data:`BALANCE_MIN_WEEKS` of them); ``far_from_usual`` when the week's
        ratio is at least twice or at most half the usual one *and* outside the athlete's
        usual spread (2.5 robust SDs of the earlier weeks' log2 ratios around their median).

    Notes
    -----
    Flexor reps are the log's ``hf_reps`` (hip-flexor family: sets × reps, per leg
    doubled, distance drills through the catalog's reps per metre). Extensor reps are sets
    × reps (per leg doubled) of the ``hip_extensor`` family; timed extensor entries count
    0. A count of repetitions, not of force: a ratio of 2 means twice as many flexion
    reps as extension reps that week, not that the flexors are twice as strong.
    """
    cols = ["athlete_id", "week", "flexor_reps", "extensor_reps", "ratio", "log2_ratio",
            "usual_ratio", "far_from_usual"]  # fmt: skip
    vol = family_volume(log)
    if vol.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    flex = vol.groupby(["athlete_id", "week"], observed=True)["hf_reps"].sum()
    ext = vol[vol["family"] == "hip_extensor"].groupby(["athlete_id", "week"])["reps"].sum()
    df = pd.DataFrame({"flexor_reps": flex}).join(ext.rename("extensor_reps"), how="left")
    df["extensor_reps"] = df["extensor_reps"].fillna(0.0)
    df = df.reset_index().sort_values(["athlete_id", "week"], kind="stable")
    fx = df["flexor_reps"].astype("float64")
    ex = df["extensor_reps"].astype("float64")
    ratio = np.where(ex > 0, fx / np.where(ex > 0, ex, 1.0), np.nan)
    df["ratio"] = ratio
    with np.errstate(divide="ignore"):
        df["log2_ratio"] = np.where(ratio > 0, np.log2(np.where(ratio > 0, ratio, 1.0)), np.nan)
    # the athlete's usual: the median of earlier weeks with a ratio (expanding, shifted)
    g = df.groupby("athlete_id", observed=True)["log2_ratio"]
    prior_med = g.transform(lambda s: s.expanding().median().shift(1))
    prior_n = g.transform(lambda s: s.notna().cumsum().shift(1).fillna(0))
    # the athlete's usual spread: 2.5 robust SDs (1.4826 × the median absolute deviation)
    # of earlier weeks around their median, so a week-to-week jumpy ratio is not flagged
    dev = (df["log2_ratio"] - prior_med).abs()
    prior_mad = dev.groupby(df["athlete_id"]).transform(lambda s: s.expanding().median().shift(1))
    usual = np.where(prior_n >= BALANCE_MIN_WEEKS, prior_med, np.nan)
    bound = np.maximum(BALANCE_FAR_LOG2, 2.5 * 1.4826 * prior_mad.fillna(0.0).to_numpy(float))
    df["usual_ratio"] = np.exp2(usual)
    df["far_from_usual"] = (
        (np.abs(df["log2_ratio"] - usual) >= bound) & ~np.isnan(usual) & df["log2_ratio"].notna()
    )
    df["far_from_usual"] = df["far_from_usual"].fillna(False).astype(bool)
    return df[cols].reset_index(drop=True)


def exposure(ds) -> pd.DataFrame:
    """Exposure per athlete: athlete-days at risk and hours where sessions are timed.

    Returns
    -------
    DataFrame
        ``athlete_id, first, last, days, days_lost, athlete_days, hours`` — ``days`` from
        the first to the last day of the athlete in the data (log or race, both
        included), ``days_lost`` those days inside that span lost to injury,
        ``athlete_days = days − days_lost`` and ``hours`` the sum over logged days of the
        day's longest ``session_min`` / 60 (NA when the athlete's log has no minutes).
    """
    log, races = ds.log, ds.races
    dates = pd.concat(
        [log[["athlete_id", "date"]], races[["athlete_id", "date"]]], ignore_index=True
    ).dropna()
    span = dates.groupby("athlete_id", observed=True)["date"].agg(["min", "max"])
    span.columns = ["first", "last"]
    span["days"] = (span["last"] - span["first"]).dt.days + 1
    inj = ds.injuries
    lost = pd.Series(0.0, index=span.index)
    if len(inj):
        j = inj.merge(span, left_on="athlete_id", right_index=True, how="inner")
        start = j["onset_date"].where(j["onset_date"] > j["first"], j["first"])
        end = j["return_date"].where(j["return_date"] <= j["last"] + pd.Timedelta(days=1),
                                     j["last"] + pd.Timedelta(days=1))  # fmt: skip
        d = (end - start).dt.days.clip(lower=0).fillna(0)
        lost = d.groupby(j["athlete_id"]).sum().reindex(span.index, fill_value=0.0)
    span["days_lost"] = lost.astype("float64")
    span["athlete_days"] = (span["days"] - span["days_lost"]).clip(lower=0)
    if "session_min" in log.columns and log["session_min"].notna().any():
        per_day = log.groupby(["athlete_id", "date"], observed=True)["session_min"].max()
        by = per_day.groupby(level=0, observed=True)
        minutes, timed, logged = by.sum(min_count=1), by.count(), by.size()
        cover = timed / logged
        # days without minutes at the athlete's mean session; unknown under half covered
        hrs = (minutes * logged / timed / 60.0).where(cover >= MIN_TIMED_SHARE)
        span["hours"] = hrs.reindex(span.index).astype("Float64")
    else:
        span["hours"] = pd.Series(pd.NA, index=span.index, dtype="Float64")
    return span.reset_index()


def injury_rates(ds, *, by: str | None = "location") -> pd.DataFrame:
    """Incidence, severity and burden, overall or per location or roster column.

    Parameters
    ----------
    ds : Dataset
    by
        ``"location"``, a roster column (``"squad"``, ``"sex"``) or None (one row, all).

    Returns
    -------
    DataFrame
        One row per group: ``group, athletes`` (athletes in the group's exposure),
        ``athletes_injured, injuries, recurrences, days_lost, athlete_days, hours,
        per_1000_days, per_1000_h, per_athlete_season, mean_days_lost, burden_per_1000_days,
        burden_per_1000_h`` (per 1000 h NA when hours are unknown). Unsuppressed: pass it
        through :func:`suppress_small_cells` before a squad or cohort page shows it.

    Notes
    -----
    Incidence = injuries / exposure × 1000; severity = mean days lost per injury (injuries
    with unknown time loss left out); burden = days lost / exposure × 1000 = incidence ×
    severity (Bahr et al. 2018). Per athlete-season = injuries / athletes (the season is
    the data's span).
    """
    exp = exposure(ds)
    inj = ds.injuries[ds.injuries["athlete_id"].isin(exp["athlete_id"])]
    roster = ds.athletes.set_index("athlete_id")
    if by is None:
        exp = exp.assign(group="all")
        inj = inj.assign(group="all")
    elif by == "location":
        exp = exp.assign(group="all")  # every athlete is at risk at every location
        inj = inj.assign(group=inj["location"])
    else:
        if by not in roster.columns:
            raise KeyError(by)
        gmap = roster[by].astype("string").fillna("(blank)")
        exp = exp.assign(group=exp["athlete_id"].map(gmap))
        inj = inj.assign(group=inj["athlete_id"].map(gmap))
    has_hours = exp["hours"].notna().all() and len(exp) > 0
    e = exp.groupby("group").agg(athletes=("athlete_id", "nunique"),
                                 athlete_days=("athlete_days", "sum"),
                                 hours=("hours", "sum"))  # fmt: skip
    g = inj.groupby("group").agg(
        injuries=("athlete_id", "size"),
        athletes_injured=("athlete_id", "nunique"),
        recurrences=("recurrence", "sum"),
        days_lost=("days_lost", "sum"),
        known=("days_lost", "count"),
    )
    if by == "location":
        groups = pd.Index(sorted(g.index, key=_loc_order), name="group")
        e = pd.DataFrame(
            {c: [e.loc["all", c]] * len(groups) for c in e.columns}, index=groups
        ) if len(e) else e  # fmt: skip
    else:
        groups = e.index
    out = e.join(g, how="left").reindex(groups).reset_index()
    for c in ("injuries", "athletes_injured", "recurrences", "days_lost", "known"):
        out[c] = out[c].fillna(0).astype("int64")
    days = out["athlete_days"].astype("float64")
    hours = out["hours"].astype("float64") if has_hours else pd.Series(np.nan, index=out.index)
    out["hours"] = hours
    out["per_1000_days"] = out["injuries"] / days * 1000
    out["per_1000_h"] = out["injuries"] / hours * 1000
    out["per_athlete_season"] = out["injuries"] / out["athletes"]
    out["mean_days_lost"] = np.where(out["known"] > 0, out["days_lost"] / out["known"].clip(1),
                                     np.nan)  # fmt: skip
    out["burden_per_1000_days"] = out["days_lost"] / days * 1000
    out["burden_per_1000_h"] = out["days_lost"] / hours * 1000
    return out.drop(columns="known")


def _loc_order(loc: str) -> int:
    from .injuries import LOCATIONS

    return LOCATIONS.index(loc) if loc in LOCATIONS else len(LOCATIONS)


#: Columns that carry counts or numbers derived from them (blanked when suppressed).
_CELL_COLUMNS = ("athletes_injured", "injuries", "recurrences", "days_lost", "per_1000_days",
                 "per_1000_h", "per_athlete_season", "mean_days_lost", "burden_per_1000_days",
                 "burden_per_1000_h")  # fmt: skip


def suppress_small_cells(rates: pd.DataFrame, *, min_athletes: int = MIN_ATHLETES,
                         min_group: int = MIN_GROUP) -> pd.DataFrame:  # fmt: skip
    """Blank the rows of a rates table that could point at one athlete (the privacy rule).

    A row is suppressed when its injuries come from 1 to ``min_athletes − 1`` different
    athletes, or its group has fewer than ``min_group`` athletes (and any injury). When
    exactly one row is suppressed, the smallest other row with injuries is suppressed too
    (so that the total cannot reveal it). Rows without any injury are never suppressed.

    Returns
    -------
    DataFrame
        The table with the count and rate columns NA where suppressed and a boolean
        ``suppressed`` column.
    """
    df = rates.copy()
    inj = df["athletes_injured"].fillna(0)
    small = ((inj > 0) & (inj < min_athletes)) | ((df["athletes"] < min_group) & (inj > 0))
    if int(small.sum()) == 1:
        others = df.loc[~small & (inj > 0)]
        if len(others):
            small.loc[others["injuries"].idxmin()] = True
    df["suppressed"] = small.astype(bool)
    for c in _CELL_COLUMNS:
        if c in df.columns:
            df[c] = df[c].astype("Float64").mask(small)
    return df


#: Days after return within which the attention list names a hamstring or hip injury.
ATTENTION_RETURN_DAYS = 28


def attention_items(ds, as_of: pd.Timestamp, *, return_days: int = ATTENTION_RETURN_DAYS
                    ) -> list[dict]:  # fmt: skip
    """Attention-list rows: back from a hamstring or hip/groin injury in the last
    ``return_days`` days, and a last week whose flexor : extensor balance is far from the
    athlete's usual (:func:`flexor_extensor_balance`). No note or body text is copied."""
    out: list[dict] = []
    inj = ds.injuries
    if len(inj):
        back = inj[inj["location"].isin(["hamstring", "hip_groin"]) & inj["return_date"].notna()]
        days = (as_of - back["return_date"]).dt.days
        recent = back[(days >= 0) & (days <= return_days)]
        for r, d in zip(recent.itertuples(index=False), days[recent.index], strict=True):
            out.append({"athlete_id": r.athlete_id, "kind": "back_from_injury",
                        "date": r.return_date,
                        "what": f"Back from a hamstring or hip injury {int(d)} days ago: "
                                "build up with care.",
                        "value": float(d), "threshold": float(return_days)})  # fmt: skip
    b = flexor_extensor_balance(ds.log)
    if len(b):
        done = b[b["week"] + pd.Timedelta(days=6) <= as_of]  # complete weeks only
        last = done.groupby("athlete_id", observed=True).tail(1)
        for r in last[last["far_from_usual"]].itertuples(index=False):
            out.append({"athlete_id": r.athlete_id, "kind": "balance_far", "date": r.week,
                        "what": f"Flexor : extensor reps {r.ratio:.1f} : 1 in the week of "
                                f"{r.week:%d %b}, usual {r.usual_ratio:.1f} : 1.",
                        "value": float(r.ratio), "threshold": float(r.usual_ratio)})  # fmt: skip
    return out
