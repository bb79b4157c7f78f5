"""App exports in the synthetic sample: one athlete's gym sessions as a Strong export.

Called beside :func:`analysis.sample.layouts.coach_layouts` for rosters of six or more.
No random number is drawn here.
"""

from __future__ import annotations

import re

import pandas as pd

from .cells import Cells, fault_rows

__all__ = ["STRONG_HEADER", "app_exports"]


#: the header of a Strong export (current layout: every cell quoted, ``;``-separated)
STRONG_HEADER = ("Workout #", "Date", "Workout Name", "Duration (sec)", "Exercise Name",
                 "Set Order", "Weight (kg)", "Reps", "RPE", "Distance (meters)", "Seconds",
                 "Notes", "Workout Notes")  # fmt: skip
_PLAIN_REPS = re.compile(r"^\d+$")
_KG = re.compile(r"^(\d+(?:\.\d+)?)\s*kg$", re.I)


def app_exports(frames: dict, roster: pd.DataFrame, faults: dict) -> dict:
    """One athlete's gym sessions as a **Strong export** in a per-athlete folder.

    ``logs/<athlete name>/strong.csv``: the fourth athlete's gym entries whose reps are
    one number and whose load is body weight or kilograms, one row per set as Strong
    writes them (an entry ``3 x 25`` is three set rows of 25), the session's minutes as
    the workout's ``Duration (sec)``, its RPE on every set, and a ``Rest Timer`` row after
    each exercise's first set (not a set: listed as not data). The athlete is named only
    by the folder. The entries' hip-flexion volume and sessions are unchanged; the
    truth's entry count grows by the sets beyond the first. Called beside
    :func:`coach_layouts` (rosters of six or more), so the tests that compare the laid
    out sample with a plain one see the same export in both.
    """
    if len(roster) < 6 or "logs/gym_sessions.xlsx" not in frames:
        return frames
    out = dict(frames)
    aid = roster["athlete_id"].iloc[3]
    name = dict(zip(roster["athlete_id"], roster["name"], strict=True))[aid]
    book = dict(out["logs/gym_sessions.xlsx"])
    taken = []
    for sheet, df in book.items():
        if not isinstance(df, pd.DataFrame) or "Athlete" not in df.columns:
            continue
        load = df["Load"].astype(str).str.strip()
        ok = (
            (df["Athlete"] == aid)
            & df["Reps"].astype(str).str.strip().str.match(_PLAIN_REPS)
            & (load.str.lower().isin(["bw", "bodyweight"]) | load.str.match(_KG))
        ).to_numpy(dtype=bool, copy=True)
        ok[list(fault_rows(faults, f"logs/gym_sessions.xlsx#{sheet}"))] = False
        taken.append(df.loc[ok])
        book[sheet] = df.loc[~ok].reset_index(drop=True)
    rows = pd.concat(taken, ignore_index=True) if taken else pd.DataFrame()
    if rows.empty:
        return frames
    out["logs/gym_sessions.xlsx"] = book
    rows = rows.assign(day=pd.to_datetime(rows["Date"]).dt.date).sort_values("day", kind="stable")
    cells: list[tuple] = [STRONG_HEADER]
    not_data = [(1, 1, "header row")]
    workout = {d: k for k, d in enumerate(dict.fromkeys(rows["day"]), start=1)}
    for r in rows.itertuples(index=False):
        m = _KG.match(str(r.Load).strip())
        weight = m.group(1) if m else ""
        when = f"{r.day.isoformat()} 17:30:00"
        common = (str(workout[r.day]), when, "Hip flexors", str(int(r.Minutes) * 60), r.Exercise)
        for k in range(1, int(r.Sets) + 1):
            cells.append((*common, str(k), weight, str(r.Reps).strip(), str(r.RPE), "", "",
                          r.Notes or "", ""))  # fmt: skip
            if k == 1 and int(r.Sets) > 1:
                cells.append((*common, "Rest Timer", "", "", "", "", "90", "", ""))
                not_data.append((len(cells), 1, "rest timer (a rest between sets, not a set)"))
    sets = int(rows["Sets"].astype(int).sum())
    faults["log_entries"] = faults.get("log_entries", 0) + sets - len(rows)
    out[f"logs/{name}/strong.csv"] = Cells(
        tuple(cells), sep=";", not_data=tuple(not_data), entries=sets, data_rows=sets,
        columns=STRONG_HEADER,
    )  # fmt: skip
    return out
