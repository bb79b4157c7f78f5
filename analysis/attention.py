"""What needs the coach's eye after a nightly run: :func:`attention_list`.

Four checks, each with its thresholds in :mod:`analysis.config` (every one a keyword
argument too):

``volume_change``
    Hip-flexion reps of the last complete week (Monday to Sunday, ending on or before
    ``as_of``) against the week before changed by more than
    :data:`~analysis.config.ATTENTION_VOLUME_CHANGE_PCT` percent either way, and either
    week reached :data:`~analysis.config.ATTENTION_MIN_WEEKLY_REPS` reps (10 → 30 reps is
    not a spike). Only weeks inside the athlete's logged span count (a week after the last
    entry is the ``no_log`` check's).
``no_log``
    No log entry of any kind for :data:`~analysis.config.ATTENTION_NO_LOG_DAYS` days or
    more before ``as_of`` (or no log entry at all).
``new_pb`` / ``new_sb``
    A personal or season best (:func:`analysis.season.race_context`) within
    :data:`~analysis.config.ATTENTION_RECENT_DAYS` days of ``as_of`` (a PB is not also
    listed as an SB).
``fade_worse``
    At one event this season, the median second-half differential of the athlete's last
    :data:`~analysis.config.ATTENTION_FADE_LAST_RACES` races is worse (larger) than the
    median of the season's earlier races by more than
    :data:`~analysis.config.ATTENTION_FADE_MARGIN_S` s; at least two earlier races needed.

``back_from_injury`` / ``balance_far``
    Back from a hamstring or hip/groin injury within
    :data:`analysis.injury_epi.ATTENTION_RETURN_DAYS` days; the last week's flexor :
    extensor balance at least twice or at most half the athlete's usual
    (:func:`analysis.injury_epi.flexor_extensor_balance`). Neither copies a note.

``as_of`` defaults to the data's last date (log or race), so a nightly run on an unchanged
folder gives the same list; pass today's date to count days up to now.
"""

from __future__ import annotations

import datetime as _dt
import os

import numpy as np
import pandas as pd

from . import config

__all__ = ["ATTENTION_COLUMNS", "attention_list", "attention_summary", "write_attention_csv"]

#: Columns of the attention list (and of ``OUT/attention.csv``).
ATTENTION_COLUMNS: dict[str, str] = {
    "athlete_id": "string",
    "name": "string",
    "kind": "string",
    "date": "datetime64[ns]",
    "what": "string",
    "value": "Float64",
    "threshold": "Float64",
}

KINDS = (
    "fade_worse",
    "volume_change",
    "no_log",
    "new_pb",
    "new_sb",
    "back_from_injury",
    "balance_far",
)
_KIND_WORDS = {
    "fade_worse": ("fade worse lately", "fades worse lately"),
    "volume_change": ("hip-flexor volume change", "hip-flexor volume changes"),
    "no_log": ("not logging", "not logging"),
    "new_pb": ("new PB", "new PBs"),
    "new_sb": ("new SB", "new SBs"),
    "back_from_injury": ("back from injury", "back from injury"),
    "balance_far": (
        "flexor : extensor balance far from usual",
        "flexor : extensor balances far from usual",
    ),
}


def _as_of(ds, as_of) -> pd.Timestamp | None:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    dates = pd.concat([ds.log["date"], ds.races["date"]]).dropna()
    return None if dates.empty else pd.Timestamp(dates.max()).normalize()


def _fmt_s(x: float) -> str:
    return f"{x:.2f} s"


def _volume_change(ds, as_of, pct, min_reps) -> list[dict]:
    from .volume import weekly_volume

    if len(ds.log) == 0:
        return []
    weekly = weekly_volume(ds.log)
    # the last week that ended (its Sunday) on or before as_of
    last_monday = as_of - pd.Timedelta(days=as_of.day_of_week) - pd.Timedelta(weeks=1)
    if as_of.day_of_week == 6:
        last_monday = as_of - pd.Timedelta(days=6)
    prev_monday = last_monday - pd.Timedelta(weeks=1)
    quiet = weekly.loc[weekly["week"] == last_monday].set_index("athlete_id")["days_logged"] == 0
    this = weekly.loc[weekly["week"] == last_monday].set_index("athlete_id")["hf_reps"]
    prev = weekly.loc[weekly["week"] == prev_monday].set_index("athlete_id")["hf_reps"]
    both = pd.concat([this.rename("this"), prev.rename("prev")], axis=1, join="inner")
    out = []
    for aid, r in both.iterrows():
        a, b = float(r["this"]), float(r["prev"])
        if max(a, b) < min_reps:
            continue
        change = np.inf if b == 0 else (a - b) / b * 100
        if abs(change) <= pct:
            continue
        words = (
            f"from 0 to {a:.0f} hip-flexion reps on the week before"
            if b == 0
            else f"{'up' if a > b else 'down'} {abs(change):.0f}% on the week before "
            f"({b:.0f} → {a:.0f} hip-flexion reps)"
        )
        if bool(quiet.get(aid, False)):
            words += ": nothing at all was logged that week"
        out.append(
            {
                "athlete_id": aid,
                "kind": "volume_change",
                "date": last_monday,
                "what": f"Week of {last_monday:%d %b %Y}: {words}.",
                "value": change if np.isfinite(change) else np.nan,
                "threshold": pct,
            }
        )
    return out


def _no_log(ds, as_of, days) -> list[dict]:
    last = ds.log.groupby("athlete_id", observed=True)["date"].max()
    out = []
    for aid in ds.athletes["athlete_id"].astype(str):
        when = last.get(aid)
        if when is None or pd.isna(when):
            out.append({"athlete_id": aid, "kind": "no_log", "date": pd.NaT,
                        "what": "No training-log entries at all.", "value": np.nan,
                        "threshold": float(days)})  # fmt: skip
            continue
        gap = int((as_of - pd.Timestamp(when)).days)
        if gap >= days:
            out.append({"athlete_id": aid, "kind": "no_log", "date": pd.Timestamp(when),
                        "what": f"No log entries for {gap} days (last on {when:%d %b %Y}).",
                        "value": float(gap), "threshold": float(days)})  # fmt: skip
    return out


def _bests(ds, as_of, recent) -> list[dict]:
    from .season import race_context

    if len(ds.races) == 0:
        return []
    ctx = race_context(ds.races)
    new = ctx.loc[
        (ctx["is_pb"] | ctx["is_sb"]).fillna(False)
        & (ctx["date"] > as_of - pd.Timedelta(days=recent))
        & (ctx["date"] <= as_of)
    ]
    out = []
    for r in new.itertuples(index=False):
        pb = bool(r.is_pb)
        label = "PB" if pb else "SB"
        meet = f" at {r.meet}" if "meet" in ctx and pd.notna(r.meet) else ""
        out.append(
            {
                "athlete_id": r.athlete_id,
                "kind": "new_pb" if pb else "new_sb",
                "date": r.date,
                "what": f"New {label}: {int(r.event_m)} m in {r.final_s:.2f} s{meet} "
                f"on {r.date:%d %b %Y}.",
                "value": float(r.final_s),
                "threshold": float(recent),
            }
        )
    return out


def _fade(ds, last_n, margin) -> list[dict]:
    from .season import season_of

    fat = ds.fatigue
    if len(fat) == 0 or "differential_s" not in fat:
        return []
    races = ds.races.loc[ds.races["status"].astype("string").str.lower().eq("ok").fillna(False)]
    t = races[["race_id", "athlete_id", "date", "event_m"]].merge(
        fat[["race_id", "differential_s"]], on="race_id"
    )
    t = t.loc[t["differential_s"].notna()].assign(season=lambda d: season_of(d["date"]))
    latest = t.groupby(["athlete_id", "event_m"], observed=True)["season"].transform("max")
    t = t.loc[t["season"] == latest].sort_values(["athlete_id", "event_m", "date"])
    out = []
    for (aid, ev), g in t.groupby(["athlete_id", "event_m"], observed=True, sort=True):
        if len(g) < last_n + 2:
            continue
        d = g["differential_s"].astype("float64").to_numpy()
        recent, earlier = float(np.median(d[-last_n:])), float(np.median(d[:-last_n]))
        if recent > earlier + margin:
            out.append(
                {
                    "athlete_id": aid,
                    "kind": "fade_worse",
                    "date": g["date"].iloc[-1],
                    "what": f"{int(ev)} m: slowed more in the second half in the last "
                    f"{last_n} races (second half minus first half, median {_fmt_s(recent)}) "
                    f"than in the season's {len(d) - last_n} earlier races (median "
                    f"{_fmt_s(earlier)}); larger means more slowing.",
                    "value": recent - earlier,
                    "threshold": float(margin),
                }
            )
    return out


def _injury_items(ds, as_of) -> list[dict]:
    """Back from a hamstring/hip injury lately; balance far from usual (analysis.injury_epi)."""
    from .injury_epi import attention_items

    return attention_items(ds, as_of)


def attention_list(
    ds,
    *,
    as_of: _dt.date | str | None = None,
    volume_change_pct: float | None = None,
    min_weekly_reps: float | None = None,
    no_log_days: int | None = None,
    recent_days: int | None = None,
    fade_last_races: int | None = None,
    fade_margin_s: float | None = None,
) -> pd.DataFrame:
    """What needs a look, one row per athlete and finding (see the module notes).

    Parameters
    ----------
    ds : Dataset
        From :func:`analysis.load_dataset`.
    as_of : date, optional
        The day the list is for (default: the data's last date).
    volume_change_pct, min_weekly_reps, no_log_days, recent_days, fade_last_races, fade_margin_s
        Thresholds; default the ``ATTENTION_*`` settings of :mod:`analysis.config`.

    Returns
    -------
    DataFrame
        :data:`ATTENTION_COLUMNS`: ``athlete_id, name, kind`` (``fade_worse``,
        ``volume_change``, ``no_log``, ``new_pb``, ``new_sb``), ``date`` (the week, race or
        last entry it is about), ``what`` (one plain sentence), ``value`` (the change in %,
        days, time in s, or fade difference in s) and ``threshold``. Sorted by kind (in
        that order) and athlete. Empty, with these columns, when nothing needs a look.
    """
    c = config
    when = _as_of(ds, as_of)
    if when is None:
        return pd.DataFrame({k: pd.Series(dtype=v) for k, v in ATTENTION_COLUMNS.items()})
    rows = [
        *_fade(ds, int(fade_last_races or c.ATTENTION_FADE_LAST_RACES),
               float(c.ATTENTION_FADE_MARGIN_S if fade_margin_s is None else fade_margin_s)),
        *_volume_change(ds, when,
                        float(c.ATTENTION_VOLUME_CHANGE_PCT if volume_change_pct is None
                              else volume_change_pct),
                        float(c.ATTENTION_MIN_WEEKLY_REPS if min_weekly_reps is None
                              else min_weekly_reps)),
        *_no_log(ds, when, int(c.ATTENTION_NO_LOG_DAYS if no_log_days is None else no_log_days)),
        *_bests(ds, when, int(c.ATTENTION_RECENT_DAYS if recent_days is None else recent_days)),
        *_injury_items(ds, when),
    ]  # fmt: skip
    names = ds.athletes.set_index("athlete_id")["name"]
    out = pd.DataFrame(rows, columns=[k for k in ATTENTION_COLUMNS if k != "name"])
    out.insert(1, "name", out["athlete_id"].map(names))
    out["_k"] = out["kind"].map({k: i for i, k in enumerate(KINDS)})
    out = out.sort_values(["_k", "athlete_id", "date"], kind="stable").drop(columns="_k")
    return out.astype(ATTENTION_COLUMNS).reset_index(drop=True)


def attention_summary(
    attention: pd.DataFrame, csv_path: str | os.PathLike[str] | None = None
) -> str:
    """One plain paragraph (no markup, no colour: cron mails it as it is).

    Examples
    --------
    >>> import pandas as pd
    >>> attention_summary(pd.DataFrame({"athlete_id": [], "kind": []}))
    'Attention: nothing needs a look.'
    """
    if len(attention) == 0:
        return "Attention: nothing needs a look."
    counts = attention["kind"].value_counts()
    parts = []
    for k in KINDS:
        n = int(counts.get(k, 0))
        if n:
            parts.append(f"{n} {_KIND_WORDS[k][0 if n == 1 else 1]}")
    n_ath = attention["athlete_id"].nunique()
    who = ", ".join(sorted(set(attention["name"].fillna(attention["athlete_id"]).astype(str)))[:6])
    more = "" if n_ath <= 6 else f" and {n_ath - 6} more"
    where = f" Details: {csv_path}." if csv_path else ""
    return (
        f"Attention: {len(attention)} item{'s' if len(attention) != 1 else ''} for "
        f"{n_ath} athlete{'s' if n_ath != 1 else ''} ({who}{more}): {', '.join(parts)}.{where}"
    )


def write_attention_csv(attention: pd.DataFrame, path: str | os.PathLike[str]):
    """Write the list as CSV atomically (``OUT/attention.csv``); returns the path.

    Ids, names and notes are made inert for spreadsheet programs
    (:func:`analysis.safe_text.write_csv`: a cell starting ``=``, ``+``, ``-``, ``@``, tab
    or carriage return gets a leading quote)."""
    from .safe_text import write_csv

    return write_csv(attention.assign(date=attention["date"].dt.strftime("%Y-%m-%d")), path)
