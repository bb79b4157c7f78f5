"""The coach's season in the sample: the plan, session RPE and minutes, a masters athlete.

:func:`season_extras` adds them to the raw files without a random draw, so the rest of
the sample (and its truth) is the same with or without them.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from .truth import Truth

__all__ = ["season_extras"]


def _session_values(athlete: pd.Series, date: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """RPE (CR-10) and minutes per row, the same for every row of one athlete-day.

    Deterministic (no random draw: the rest of the sample is unchanged): the more entries a
    session has, the longer and harder it is.
    """
    key = athlete.astype(str) + "|" + date.astype(str)
    n = key.map(key.value_counts()).to_numpy()
    code = pd.factorize(key)[0]
    rpe = np.clip(4 + n + code % 3, 3, 9)
    minutes = 30 + 10 * n + 5 * (code % 4)
    return rpe, minutes


def _sample_plan(start: _dt.date, weeks: int) -> pd.DataFrame:
    """The article's program as a coach's plan file (``plan.csv``)."""
    first = start - _dt.timedelta(days=start.weekday())
    last = first + _dt.timedelta(weeks=weeks - 1)

    def d(x: _dt.date) -> str:
        return x.strftime("%d/%m/%Y")

    rows = [
        # group, drill, prescription, per week, build by, every, up to, notes
        ("400", "Slow running A's", "3 x 10 m", 2, "10 m", 4, "3x50m",
         "start with 3 sets of 10 m, build up to 50 m through the season"),
        ("200", "high knees", "3 x 10 m", 2, "5 m", 4, "3x30m", ""),
        ("400", "box knee drives", "3x25-30", 1, "", "", "", "no weight"),
        ("All", "cable knee drives", "3x10 each leg", 1, "", "", "", ""),
        ("All", "lying cable knee drive", "3x10 each leg", 1, "", "", "", ""),
        ("All", "spread eagle situps", "3x15", 1, "", "", "", ""),
        ("All", "hanging knee raises", "3x12", 1, "", "", "", ""),
        ("All", "incline bench leg raise", "3x10", 1, "", "", "", ""),
        ("All", "lunge stretch", "2 x 30s each leg", 2, "", "", "", "after the drills"),
        ("All", "foam rolling", "1x60s", 2, "", "", "", ""),
    ]  # fmt: skip
    return pd.DataFrame(
        [
            {"Week of": d(first), "Until": d(last), "Group": g, "Drill": ex,
             "Sets x Reps": p, "Per week": n, "Build by": step, "Every (weeks)": every,
             "Up to": cap, "Notes": note}
            for g, ex, p, n, step, every, cap, note in rows
        ]
    ).astype("string")  # fmt: skip


#: Seconds a masters athlete is slower per half than the simulated club sprinter, per event:
#: both halves slow alike, so the differential (the truth) is unchanged; the 400 m comes to
#: about 61 s and the 200 m to about 27 s, an age grade near 80 % at 51.
_MASTERS_HALF_S = {200: 3.0, 400: 6.0}


def _shift_time(text: object, add: float, digits: int) -> object:
    """A written time plus ``add`` seconds, in the same spelling (``m:ss.ss``, ``h``)."""
    t = str(text).strip()
    if not t or t.upper() in ("DNF", "DNS", "DQ", "NAN"):
        return text
    suffix = "h" if t.endswith("h") else ""
    core = t.removesuffix("h")
    m, _, sec = core.rpartition(":")
    v = (int(m) * 60 if m else 0) + float(sec) + add
    if m or v >= 60:
        mm, ss = divmod(round(v, digits), 60)
        return f"{int(mm)}:{ss:0{3 + digits}.{digits}f}{suffix}"
    return f"{v:.{digits}f}{suffix}"


def _masters_times(frames: dict, truth: Truth, name: str, athlete_id: str) -> None:
    """Slow the masters athlete's marks to a masters level (differentials unchanged)."""

    def event_of(text: object) -> int:
        digits = "".join(ch for ch in str(text) if ch.isdigit())
        return int(digits) if digits else 0

    meets = frames["results/meets_2026.csv"].copy()
    mine = meets["Athlete"] == name
    for i in meets.index[mine]:
        c = _MASTERS_HALF_S.get(event_of(meets.loc[i, "Event"]))
        if c is None:
            continue
        meets.loc[i, "Time"] = _shift_time(meets.loc[i, "Time"], 2 * c, 2)
        for col, k in (("split_100", 0.5 if c == 6.0 else 1.0), ("split_200", 1.0),
                       ("split_300", 1.5)):  # fmt: skip
            v = meets.loc[i, col]
            if str(v).strip() and str(v) != "nan":
                meets.loc[i, col] = _shift_time(v, k * c, 2)
    frames["results/meets_2026.csv"] = meets
    book = dict(frames["results/time_trials.xlsx"])
    trials = book["Trials"].copy()
    for i in trials.index[trials["Athlete"] == name]:
        c = _MASTERS_HALF_S.get(event_of(trials.loc[i, "Event"]))
        if c is None:
            continue
        trials.loc[i, "Time"] = _shift_time(trials.loc[i, "Time"], 2 * c, 1)
        marks = str(trials.loc[i, "Splits"]).split("/")
        steps = (0.5, 1.0, 1.5) if len(marks) == 3 else (1.0,)
        trials.loc[i, "Splits"] = "/".join(
            str(_shift_time(m, k * c, 1)) for m, k in zip(marks, steps, strict=False)
        )
    book["Trials"] = trials
    frames["results/time_trials.xlsx"] = book
    for r in truth.races:
        if r["athlete_id"] == athlete_id and r["event_m"] in _MASTERS_HALF_S:
            r["final_s"] = round(r["final_s"] + 2 * _MASTERS_HALF_S[r["event_m"]], 2)


def season_extras(frames: dict, truth: Truth) -> dict:
    """Add what the coach's season needs to the raw files, without a random draw.

    - ``plan.csv``: the article's program (analysis.plan);
    - session RPE and minutes (Foster 2001): coach A on the session's first row
      (``RPE``, ``Minutes``), coach B on every row (``Session RPE``, ``Duration (min)``),
      the gym workbook per row (``RPE``, ``Minutes``);
    - a masters athlete: the last athlete of a roster of six or more was born in 1975
      (``age_category`` ``masters``), for age grading; his or her marks are slower by the
      same time in each half (:data:`_MASTERS_HALF_S`), so the differential is unchanged.
    """
    out = dict(frames)
    roster = out["athletes.csv"].copy()
    if len(roster) >= 6:  # small test rosters keep their cohorts as they were
        i = roster.index[-1]
        born = pd.Timestamp(roster.loc[i, "birth_date"])
        roster.loc[i, "birth_date"] = _dt.date(1975, born.month, born.day).isoformat()
        roster.loc[i, "age_category"] = "masters"
    out["athletes.csv"] = roster
    if len(roster) >= 6:
        _masters_times(out, truth, str(roster.loc[roster.index[-1], "name"]),
                       str(roster.loc[roster.index[-1], "athlete_id"]))  # fmt: skip

    a = out["logs/coach_a_2026.csv"].copy()
    rpe, minutes = _session_values(a["Athlete"], a["Date"])
    first = ~pd.DataFrame({"a": a["Athlete"], "d": a["Date"]}).duplicated().to_numpy()
    a.insert(4, "RPE", np.where(first, rpe.astype(str), ""))
    a.insert(5, "Minutes", np.where(first, minutes.astype(str), ""))
    out["logs/coach_a_2026.csv"] = a
    b = out["logs/coach_b.csv"].copy()
    rpe, minutes = _session_values(b["Name"], b["Day"])
    b.insert(4, "Session RPE", rpe.astype(str))
    b.insert(5, "Duration (min)", minutes.astype(str))
    out["logs/coach_b.csv"] = b
    book = dict(out["logs/gym_sessions.xlsx"])
    for sheet, df in book.items():
        if "Exercise" not in df.columns:
            continue
        rpe, minutes = _session_values(df["Athlete"], df["Date"])
        df = df.copy()
        df.insert(6, "RPE", rpe.astype(int))
        df.insert(7, "Minutes", minutes.astype(int))
        book[sheet] = df
    out["logs/gym_sessions.xlsx"] = book
    out["plan.csv"] = _sample_plan(pd.Timestamp(truth.season_start).date(), truth.weeks)
    return out
