"""The sample's raw files rendered from the simulated truth, with the deliberate faults.

Training entries become coach A's and coach B's CSV logs and the gym workbook; races
become the meets file and the hand-timed trials workbook. The spellings (dates, names,
times) vary as coaches write them, drawn from the simulation's random stream
(:mod:`analysis.sample.simulate` calls these phases in a fixed order).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import reasons as R
from .draws import pick
from .roster import last_first
from .vocabulary import HAND_OFFSET_S, MEETS, NOTES

__all__ = [
    "LogFiles",
    "LogRows",
    "ResultFiles",
    "Season",
    "fmt_date",
    "fmt_time",
    "plant_log_faults",
    "render_logs",
    "render_results",
]


@dataclass(frozen=True)
class Season:
    """The season the sample covers: first day, length, catalog reps per metre, roster."""

    start: _dt.date
    n_days: int
    rpm: dict[str, float]
    roster: pd.DataFrame
    ids: list[str]


@dataclass(frozen=True)
class LogRows:
    """The training entries as rows of coach A's, coach B's and the two gym sheets."""

    coach_a: list[dict]
    coach_b: list[dict]
    gym1: list[dict]
    gym2: list[dict]


@dataclass(frozen=True)
class LogFiles:
    """The training-log files with their faults planted, and the faults' truth."""

    coach_a: pd.DataFrame
    coach_b: pd.DataFrame
    gym_book: dict[str, pd.DataFrame]
    faults: dict


@dataclass(frozen=True)
class ResultFiles:
    """The meets file and the hand-timed trials sheet, and the results' faults."""

    meets: pd.DataFrame
    trials: pd.DataFrame
    faults: list[dict]


def fmt_date(d: _dt.date, style: str) -> str:
    """``d`` as ``dmy`` (31/01/2026), ``mdy`` (01/31/2026), ``text`` (31 Jan 2026) or ISO."""
    if style == "dmy":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "mdy":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "text":
        return f"{d.day} {d.strftime('%b')} {d.year}"
    return d.isoformat()


def fmt_time(t: float, rng: np.random.Generator) -> str:
    """A FAT time in one of the accepted spellings (52.34, 0:52.34, 1:02.50)."""
    if t >= 60:
        m, s = divmod(round(t, 2), 60)
        return f"{int(m)}:{s:05.2f}"
    return f"0:{t:05.2f}" if rng.random() < 0.25 else f"{t:.2f}"


def render_logs(season: Season, entries: list[dict], rng: np.random.Generator) -> LogRows:
    """Track entries to coach A (squad 400) or coach B (squad 200), gym entries to the
    workbook's two halves of the season; names, aliases and dates as each coach writes."""
    roster, start = season.roster, season.start
    name_of = dict(zip(roster["athlete_id"], roster["name"], strict=True))
    alias_of = {a: s for a, s in zip(roster["athlete_id"], roster["aliases"], strict=True) if s}
    squad_of = dict(zip(roster["athlete_id"], roster["squad"], strict=True))
    coach_a, coach_b, gym1, gym2 = [], [], [], []
    half = season.n_days // 2
    # each day's spellings, once (a season has a few hundred days, the log ~100 per athlete)
    day_of = [start + _dt.timedelta(days=k) for k in range(season.n_days)]
    dmy = [fmt_date(d, "dmy") for d in day_of]
    mdy = [fmt_date(d, "mdy") for d in day_of]
    stamp = [pd.Timestamp(d) for d in day_of]
    for e in entries:
        day = e["day"]
        note = pick(rng, NOTES) if rng.random() < 0.03 else ""
        if e["where"] == "gym":
            reps = e["reps"]
            reps_txt = str(reps[0]) if len(set(reps)) == 1 else ",".join(map(str, reps))
            if e["per_leg"]:
                reps_txt += " each leg"
            row = {"Athlete": e["athlete_id"], "Date": stamp[day],
                   "Exercise": e["spelling"], "Sets": e["sets"], "Reps": reps_txt,
                   "Load": e["load"], "Notes": note}  # fmt: skip
            (gym1 if day < half else gym2).append(row)
            continue
        aid = e["athlete_id"]
        if squad_of[aid] == "400":
            who = alias_of[aid] if aid in alias_of and rng.random() < 0.3 else name_of[aid]
            coach_a.append({"Athlete": who, "Date": dmy[day],
                            "Exercise": e["spelling"], "Sets x Reps": e["text"],
                            "Notes": note})  # fmt: skip
        else:
            who = (
                alias_of[aid]
                if aid in alias_of and rng.random() < 0.3
                else last_first(name_of[aid])
            )
            coach_b.append({"Name": who, "Day": mdy[day], "Drill": e["spelling"],
                            "Prescription": e["text"], "Comments": note})  # fmt: skip
    return LogRows(coach_a=coach_a, coach_b=coach_b, gym1=gym1, gym2=gym2)


def plant_log_faults(season: Season, rows: LogRows, rng: np.random.Generator) -> LogFiles:
    """The deliberate faults of the logs: four bad coach A rows (unknown athlete,
    impossible date, garbage prescription, 500 reps) and one entry typed into both."""
    start, ids = season.start, season.ids
    name_of = dict(zip(season.roster["athlete_id"], season.roster["name"], strict=True))
    coach_a, coach_b = list(rows.coach_a), list(rows.coach_b)
    faults: dict = {"rejected": [], "duplicate": [], "skipped": ["logs/gym_sessions.xlsx#Notes"]}
    mid = start + _dt.timedelta(days=season.n_days // 2)
    a_who = coach_a[0]["Athlete"] if coach_a else name_of[ids[0]]
    bad_a = [
        {"Athlete": "Zed Unknownson", "Date": fmt_date(mid, "dmy"), "Exercise": "A's",
         "Sets x Reps": "3 x 20 m", "Notes": "visiting athlete"},
        {"Athlete": a_who, "Date": f"31/02/{start.year + (start.month > 2)}",
         "Exercise": "high knees", "Sets x Reps": "2x30m", "Notes": ""},
        {"Athlete": a_who, "Date": fmt_date(mid, "dmy"), "Exercise": "spread eagle situps",
         "Sets x Reps": "lots", "Notes": "<i>ask coach</i>"},
        {"Athlete": a_who, "Date": fmt_date(mid + _dt.timedelta(days=1), "dmy"),
         "Exercise": "hanging knee raises", "Sets x Reps": "1x500", "Notes": "typo?"},
    ]  # fmt: skip
    positions = sorted(rng.choice(len(coach_a) + 1, size=len(bad_a), replace=True).tolist())
    for off, (pos, row) in enumerate(zip(positions, bad_a, strict=True)):
        coach_a.insert(pos + off, row)
    reasons = (R.UNKNOWN_ATHLETE, R.INVALID_DATE, R.UNPARSEABLE_PRESCRIPTION, R.IMPLAUSIBLE_REPS)
    # The duplicate: a coach_a entry (squad 400) also typed into coach_b.
    names = set(name_of.values())
    dup_src = next(
        (r for r in coach_a if r["Athlete"] in names and r["Notes"] == ""
         and r["Exercise"] in ("A's", "A-skips", "A skips", "box knee drives")),
        None,
    )  # fmt: skip
    if dup_src is not None:
        dd = pd.to_datetime(dup_src["Date"], format="%d/%m/%Y").date()
        coach_b.append({"Name": last_first(dup_src["Athlete"]), "Day": fmt_date(dd, "mdy"),
                        "Drill": dup_src["Exercise"], "Prescription": dup_src["Sets x Reps"],
                        "Comments": ""})  # fmt: skip
    coach_a_df = pd.DataFrame(
        coach_a, columns=["Athlete", "Date", "Exercise", "Sets x Reps", "Notes"]
    )
    coach_b_df = pd.DataFrame(coach_b, columns=["Name", "Day", "Drill", "Prescription", "Comments"])
    for off, (pos, reason) in enumerate(zip(positions, reasons, strict=True)):
        faults["rejected"].append(
            {"source": "logs/coach_a_2026.csv", "source_row": pos + off + 2, "reason": reason}
        )
    if dup_src is not None:
        faults["duplicate"].append(
            {"source": "logs/coach_b.csv", "source_row": len(coach_b_df) + 1,
             "same_as": "logs/coach_a_2026.csv"}
        )  # fmt: skip
    gym_cols = ["Athlete", "Date", "Exercise", "Sets", "Reps", "Load", "Notes"]
    gym_book = {
        "Jan-Apr": pd.DataFrame(rows.gym1, columns=gym_cols),
        "May-Aug": pd.DataFrame(rows.gym2, columns=gym_cols),
        "Notes": pd.DataFrame(
            {"Week": [1, 5, 9], "Author": ["S&C coach"] * 3,
             "Comment": ["Start of block 1: technique first", "Add load to cable KD",
                         "Deload week <b>no max efforts</b>"]}
        ),
    }  # fmt: skip
    return LogFiles(coach_a=coach_a_df, coach_b=coach_b_df, gym_book=gym_book, faults=faults)


def _bad_meets(season: Season) -> list[dict]:
    """A DNF, a DNS, a 100 m race and a race whose splits do not increase."""
    name_of = dict(zip(season.roster["athlete_id"], season.roster["name"], strict=True))
    ids = season.ids
    last_day = season.start + _dt.timedelta(days=season.n_days - 5)
    return [
        {"Athlete": name_of[ids[0]], "Date": last_day.isoformat(), "Event": "400m", "Time": "DNF",
         "Wind": "", "Meet": "Summer Series #2", "Round": "final", "Timing": "FAT",
         "split_100": "12.90", "split_200": "", "split_300": "", "Notes": "pulled up <hamstring>"},
        {"Athlete": name_of[ids[1]], "Date": last_day.isoformat(), "Event": "200m", "Time": "DNS",
         "Wind": "", "Meet": "Summer Series #2", "Round": "heat", "Timing": "FAT",
         "split_100": "", "split_200": "", "split_300": "", "Notes": "sick & resting"},
        {"Athlete": name_of[ids[1]], "Date": last_day.isoformat(), "Event": "100m", "Time": "11.42",
         "Wind": "+0.8", "Meet": "Summer Series #2", "Round": "final", "Timing": "FAT",
         "split_100": "", "split_200": "", "split_300": "", "Notes": ""},
        {"Athlete": name_of[ids[0]], "Date": (last_day - _dt.timedelta(days=1)).isoformat(),
         "Event": "400", "Time": "57.80", "Wind": "", "Meet": "Riverside Twilight",
         "Round": "final", "Timing": "FAT", "split_100": "13.20", "split_200": "27.10",
         "split_300": "26.90", "Notes": 'timer said "oops"'},
    ]  # fmt: skip


def render_results(season: Season, races: pd.DataFrame, rng: np.random.Generator) -> ResultFiles:
    """FAT races to the meets file (times, winds, rounds spelt variously), hand-timed ones
    to the trials sheet (0.1 s, ``h`` or a ``hand`` column), then the faulty results."""
    name_of = dict(zip(season.roster["athlete_id"], season.roster["name"], strict=True))
    meets, trials = [], []
    meet_names = rng.choice(MEETS, size=len(races))
    for r, meet in zip(races.itertuples(index=False), meet_names, strict=True):
        who = name_of[r.athlete_id]
        if r.hand:
            off = HAND_OFFSET_S[int(r.event_m)]

            def hand(t: float, off: float = off) -> str:
                return f"{t - off:.1f}"

            splits = (
                f"{hand(r.s100)}/{hand(r.s200)}/{hand(r.s300)}"
                if r.event_m == 400
                else hand(r.s100)
            )
            marked = rng.random() < 0.5
            trials.append({"Athlete": who, "Date": pd.Timestamp(r.date), "Event": f"{r.event_m}m",
                           "Time": hand(r.final) + ("h" if marked else ""),
                           "Timing": "" if marked else "hand", "Splits": splits})  # fmt: skip
            continue
        wind = ""
        if r.event_m == 200:
            wind = "NWI" if rng.random() < 0.1 else f"{rng.normal(0.5, 1.2):+.1f}"
        meets.append({
            "Athlete": who, "Date": fmt_date(r.date, "text" if rng.random() < 0.5 else "iso"),
            "Event": pick(rng, (f"{r.event_m}", f"{r.event_m}m", f"{r.event_m} m")),
            "Time": fmt_time(r.final, rng), "Wind": wind, "Meet": str(meet),
            "Round": pick(rng, ("heat", "final", "A final")), "Timing": "FAT",
            "split_100": f"{r.s100:.2f}",
            "split_200": f"{r.s200:.2f}" if r.event_m == 400 else "",
            "split_300": f"{r.s300:.2f}" if r.event_m == 400 else "",
            "Notes": "",
        })  # fmt: skip
    meets.extend(_bad_meets(season))
    meets_df = pd.DataFrame(meets)
    n = len(meets_df)
    faults = [
        {"source": "results/meets_2026.csv", "source_row": n - 2, "status": "DNF"},
        {"source": "results/meets_2026.csv", "source_row": n - 1, "status": "DNS"},
        {"source": "results/meets_2026.csv", "source_row": n, "reason": R.UNSUPPORTED_EVENT},
        {"source": "results/meets_2026.csv", "source_row": n + 1, "reason": R.SPLITS_NOT_INCREASING},
    ]  # fmt: skip
    trials_df = pd.DataFrame(
        trials, columns=["Athlete", "Date", "Event", "Time", "Timing", "Splits"]
    )
    return ResultFiles(meets=meets_df, trials=trials_df, faults=faults)
