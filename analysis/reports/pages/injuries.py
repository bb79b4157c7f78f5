"""The injury views: the squad report's "Injuries" section and an athlete's own injuries.

Health data stays private (the rule, stated once): the squad section shows aggregates
only, every count or rate passed through :func:`analysis.injury_epi.suppress_small_cells`
(a row needs injuries of at least 3 different athletes and a group of at least 5; one
suppressed row takes the next smallest with it); no location text, note or date of any
one injury reaches it. An athlete's page shows that athlete's own injuries, from
``Dataset.athlete`` (their rows only).
"""

from __future__ import annotations

import math

import pandas as pd

from ...dataset import Dataset
from ...injury_epi import (
    MIN_ATHLETES,
    MIN_GROUP,
    flexor_extensor_balance,
    injury_rates,
    suppress_small_cells,
)
from ...injury_stats import MIN_EVENT_ATHLETES, MIN_EVENTS
from ...plots.injuries import location_label

__all__ = [
    "PRIVACY_RULE",
    "athlete_injury_table",
    "athlete_injury_text",
    "balance_text",
    "hazard_text",
    "mark_athlete_time_loss",
    "mask_health_rejects",
    "plot_balance",
    "plot_risk_matrix",
    "squad_injury_tables",
    "squad_injury_text",
]

#: The small-cell rule in words (shown under every squad injury table).
PRIVACY_RULE = (
    f"Privacy: a row shows counts only when its injuries come from at least {MIN_ATHLETES} "
    f"different athletes and its group has at least {MIN_GROUP}; when one row is hidden, the "
    "next smallest is hidden too, so that no total gives it away. Hidden rows read 'hidden'."
)


def mask_health_rejects(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejects for a page or export shared beyond one athlete: an injury-log row keeps its
    file, row, column and reason, but not its value or athlete (health data)."""
    if rejects.empty or "table" not in rejects.columns:
        return rejects
    health = (rejects["table"] == "injuries").fillna(False).to_numpy(bool)
    if not health.any():
        return rejects
    out = rejects.copy()
    out.loc[health, "value"] = "(health data: see the injury log)"
    if "athlete_id" in out.columns:
        out.loc[health, "athlete_id"] = pd.NA
    dup = health & out["reason"].astype("string").str.startswith("duplicate of").fillna(False)
    out.loc[dup, "reason"] = "duplicate of an injury already listed"
    return out


#: The outcome of the hazard question: the injuries the article links to hip-flexor work.
OUTCOME = ("hamstring", "hip_groin")


def _fmt(x: object, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return "–"
    return f"{float(x):.{digits}f}"


def hazard_text(ds: Dataset, *, window_days: int = 28) -> str:
    """The injury-risk question answered in words, or why it is not estimated.

    Calls ``analysis.stats.injury_hazard`` when this version of hipflex has it (looked up
    by name, so the section works before and after it is added).
    """
    from ... import stats

    question = (
        "Are hamstring and hip/groin injuries more or less likely when an athlete has done "
        f"more hip-flexor work than usual in the {window_days} days before (each athlete "
        "compared with themselves)?"
    )
    fn = getattr(stats, "injury_hazard", None)
    if fn is None:
        return (
            f"{question} Not estimated: this version of hipflex has no injury-risk model yet, "
            "so this page describes the injuries only and says nothing about their causes."
        )
    try:
        res = fn(ds, exposure="hf_reps", window_days=int(window_days), locations=OUTCOME)
    except (ValueError, TypeError, KeyError) as exc:  # DataError is a ValueError
        return f"{question} Not estimated: {str(exc).splitlines()[0]}"
    hr = getattr(res, "hazard_ratio", float("nan"))
    n_ev, n_ath = getattr(res, "n_events", 0), getattr(res, "n_athletes", 0)
    if hr is None or (isinstance(hr, float) and math.isnan(hr)):
        note = getattr(res, "note", "") or "too few injuries"
        if note.startswith("too few injuries"):  # the rule of injury_stats, in words
            injured = getattr(res, "n_event_athletes", n_ath)
            why = (
                f"{n_ev} hamstring or hip/groin injuries in {injured} athletes, and hipflex "
                f"needs at least {MIN_EVENTS} injuries in at least {MIN_EVENT_ATHLETES} "
                "different athletes before it estimates anything (fewer give an answer that "
                "is mostly chance)"
            )
        else:
            why = note.split("; ")[0]
        return (
            f"{question} Not estimated: {why}. Until then this section describes the injuries only."
        )
    lo, hi, p = res.ci_low, res.ci_high, res.pvalue
    clear = not (lo <= 1.0 <= hi)
    verdict = (
        "The data cannot tell a link from chance."
        if not clear
        else "The interval excludes no change; with a squad this size, read it as a hint to "
        "watch, not as proof (the calibration benchmark gives about 1 false finding in 20)."
    )
    return (
        f"{question} Hazard ratio per 100 hip-flexion reps: {hr:.2f} (95 % CI {lo:.2f} to "
        f"{hi:.2f}, p = {p:.2g}), from {n_ev} injuries in {n_ath} athletes. Below 1 means "
        f"fewer injuries after more hip-flexor work. {verdict} An association, not a cause."
    )


def squad_injury_tables(ds: Dataset) -> dict[str, pd.DataFrame]:
    """The squad's injury tables, suppressed: ``overall``, ``location`` and one per roster
    column among ``squad`` and ``sex``, each ready to show (columns named for a coach)."""
    out: dict[str, pd.DataFrame] = {}
    hours = bool(injury_rates(ds, by=None)["hours"].notna().all())
    keys: list[tuple[str, str | None]] = [("overall", None), ("location", "location")]
    keys += [(c, c) for c in ("squad", "sex") if c in ds.athletes.columns]
    for name, by in keys:
        r = suppress_small_cells(injury_rates(ds, by=by))
        if by == "location":
            r = r.assign(group=r["group"].map(location_label))
        label = {"location": "body location", None: "all"}.get(by, by)
        cols = {
            label: r["group"],
            "athletes": r["athletes"],
            "injuries": r["injuries"],
            "athletes injured": r["athletes_injured"],
            "recurrences": r["recurrences"],
            "days lost": r["days_lost"],
            "per 1000 athlete-days": r["per_1000_days"],
        }
        if hours:
            cols["per 1000 h"] = r["per_1000_h"]
        cols["mean days lost"] = r["mean_days_lost"]
        if hours:
            cols["days lost per 1000 h"] = r["burden_per_1000_h"]
        else:
            cols["days lost per 1000 athlete-days"] = r["burden_per_1000_days"]
        shown = pd.DataFrame(cols)
        for c in shown.columns[2:]:
            counts = c in ("injuries", "athletes injured", "recurrences", "days lost")
            shown[c] = shown[c].astype("Float64").round(0 if counts else 1)
            if counts:
                shown[c] = shown[c].astype("Int64")
        shown = shown.astype("object").where(shown.notna(), "–")
        shown.iloc[r["suppressed"].to_numpy(bool), 2:] = "hidden"
        out[name] = shown
    return out


def squad_injury_text(ds: Dataset) -> str:
    """The squad's injuries in one paragraph (aggregate, suppressed like the tables)."""
    if ds.injuries.empty:
        return (
            "No injury log in this data folder (an injuries.csv or injuries.xlsx, or a sheet "
            "with athlete, date of injury and body part columns): nothing to show."
        )
    r = suppress_small_cells(injury_rates(ds, by=None)).iloc[0]
    weeks = _weeks(ds)
    if bool(r["suppressed"]):
        return (
            f"Injuries were logged for fewer than {MIN_ATHLETES} athletes, so no count is shown "
            "here (privacy rule below); each athlete sees their own on their page."
        )
    per_h = (
        f" ({_fmt(r['per_1000_h'])} per 1000 training hours)" if pd.notna(r["per_1000_h"]) else ""
    )
    burden = (
        f"{_fmt(r['burden_per_1000_h'], 0)} days lost per 1000 h"
        if pd.notna(r["burden_per_1000_h"])
        else f"{_fmt(r['burden_per_1000_days'], 0)} days lost per 1000 athlete-days"
    )
    return (
        f"{int(r['injuries'])} time-loss injuries in {int(r['athletes_injured'])} of "
        f"{int(r['athletes'])} athletes over {weeks} weeks: {_fmt(r['per_athlete_season'], 2)} per "
        f"athlete in those weeks, {_fmt(r['per_1000_days'])} per 1000 athlete-days at risk{per_h}. Each "
        f"injury cost {_fmt(r['mean_days_lost'])} days on average; the burden was {burden}. "
        f"Recurrences (same place within two months of return): {int(r['recurrences'])}."
    )


def _weeks(ds: Dataset) -> int:
    d = pd.concat([ds.log["date"], ds.races["date"]]).dropna()
    return 0 if d.empty else round(((d.max() - d.min()).days + 1) / 7)


def balance_text(ds: Dataset) -> str:
    """What the flexor : extensor balance is, and what it can and cannot mean."""
    b = flexor_extensor_balance(ds.log)
    n = b.loc[b["ratio"].notna(), "athlete_id"].nunique()
    return (
        "Flexor : extensor balance = hip-flexion reps (the hip-flexor drills, counted as in the "
        "volume charts) divided by posterior-chain reps (Nordic curls, RDLs, hip thrusts, "
        "bridges, back extensions, swings: sets × reps, doubled per leg), per athlete and week. "
        "2 means twice as many flexion reps as extension reps. It counts repetitions, not "
        "force or load: it says how the work was split, not how strong either side is, and "
        "no study has set a 'right' value. "
        f"{n} athletes logged both kinds of work in at least one week."
    )


def athlete_injury_table(ds: Dataset, athlete_id: str) -> pd.DataFrame:
    """One athlete's injuries, newest first, for their own page (from their rows only)."""
    inj = ds.athlete(str(athlete_id)).injuries if len(ds.athletes) > 1 else ds.injuries
    inj = inj[inj["athlete_id"] == str(athlete_id)].sort_values("onset_date", ascending=False)
    return pd.DataFrame(
        {
            "onset": inj["onset_date"].dt.strftime("%d %b %Y"),
            "body location": inj["location"].map(location_label),
            "as written": inj["location_raw"],
            "days lost": inj["days_lost"],
            "back on": inj["return_date"].dt.strftime("%d %b %Y"),
            "recurrence": inj["recurrence"].map({True: "yes", False: "no"}),
            "notes": inj["notes"],
        }
    ).reset_index(drop=True)


def athlete_injury_text(ds: Dataset, athlete_id: str) -> str:
    """One sentence about the athlete's own injuries."""
    inj = ds.injuries[ds.injuries["athlete_id"] == str(athlete_id)]
    if inj.empty:
        return "No injuries logged for this athlete."
    lost = inj["days_lost"].sum(min_count=1)
    rec = int(inj["recurrence"].sum())
    return (
        f"{len(inj)} injur{'y' if len(inj) == 1 else 'ies'} logged, "
        f"{_fmt(lost, 0)} days lost in all"
        + (f", {rec} of them {'a recurrence' if rec == 1 else 'recurrences'}" if rec else "")
        + ". The shaded spans on the volume chart above are the days lost."
    )


def plot_risk_matrix(ds: Dataset, ax=None):
    """The incidence × severity risk matrix of the squad, small cells left out."""
    from ...plots.injuries import plot_risk_matrix as draw

    rates = suppress_small_cells(injury_rates(ds, by="location"))
    per = "h" if rates["per_1000_h"].notna().any() else "days"
    return draw(rates, ax=ax, per=per)


def plot_balance(ds: Dataset, ax=None):
    """The squad's weekly flexor : extensor ratio over the season (median, middle half)."""
    from ...plots.injuries import plot_balance_season

    return plot_balance_season(flexor_extensor_balance(ds.log), ax=ax, min_athletes=MIN_GROUP)


def mark_athlete_time_loss(ax, ds: Dataset, athlete_id: str):
    """Shade the athlete's own days lost on their volume chart (dates only, no notes)."""
    from ...plots.injuries import mark_time_loss

    inj = ds.injuries
    return mark_time_loss(ax, inj[inj["athlete_id"] == str(athlete_id)])
