"""The coach layouts of the synthetic sample: files that are not one table with a header on row 1.

:func:`analysis.sample.generate` writes its training entries and races into the messy
forms coaches keep. For a roster of six or more athletes (the demo's 12, the tests' 6 and
12; smaller test rosters keep their files as they were), :func:`coach_layouts` moves some
of those rows, unchanged in what they mean, into four more layouts:

* ``logs/<masters athlete> weekly.xlsx`` — one athlete's track log as a **weekly grid**:
  one sheet per week, ``Athlete: NAME`` in a title cell, a ``Week commencing`` cell with
  the Monday's date, an ``Exercise`` column and ``Mon`` .. ``Sun`` columns holding the
  prescriptions (``3 x 20 m``, ``3x12 each leg``);
* ``logs/gym_export.csv`` — one athlete's gym sessions as a **Google-Sheets export**: a
  title and a blank row above the header, a units row (``kg``, ``min``) under it, loads
  in kilograms written as bare numbers, and a ``Total`` row at the bottom;
* ``logs/<athlete name>.csv`` — another athlete's gym sessions in a **European CSV**:
  ``;``-separated, German headers (``Datum``, ``Übung``, ``Serien``, ``Wdh``,
  ``Gewicht``), ``dd.mm.yyyy`` dates, decimal commas, per-leg reps as ``10 L/R`` and the
  **athlete named only in the file name**;
* ``results/<meet> results.csv`` — every FAT race of the season's most frequent meet as a
  **meet-manager results export**: a ``Meet - dd/mm/yyyy`` line per meeting day, an
  ``Event k  Women 400m Final`` heading per event, then the event's own header (``Pos,
  Name, Club, Time, Wind, 100m split`` for a 200 m; ``Pos, Name, Club, Time, 100m split,
  200m split, 300m split`` for a 400 m) and the rows by place, times with ``PB`` / ``SB``
  after them.

No random number is drawn here (the rest of the sample, and its truth, are unchanged):
the athletes, the meet and the marks follow from the data. Each moved row keeps its
truth; the files the rows leave are renumbered, and the deliberate faults of
``truth.json`` follow their rows (:mod:`analysis.sample.cells`, whose
:func:`~analysis.sample.cells.file_truth` writes down what the reader must find). The
second most frequent meet becomes a timing system's files (:mod:`analysis.sample.timing`).
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd

from .cells import CLUB, Cells, fault_rows, kg_bare, parse_date, renumber, seconds, time_text
from .timing import finishlynx_meet

__all__ = ["coach_layouts"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ------------------------------------------------------------------ the layouts


def _weekly_grid(rows: pd.DataFrame, name: str) -> dict[str, Cells]:
    """One athlete's entries (``date``, ``exercise``, ``prescription``) as weekly sheets."""
    rows = rows.assign(monday=[d - _dt.timedelta(days=d.weekday()) for d in rows["date"]])
    first = rows["monday"].min()
    book: dict[str, Cells] = {}
    for monday, week in rows.groupby("monday", sort=True):
        grid: list[list] = []  # [exercise, mon..sun]
        for r in week.itertuples(index=False):
            wd = r.date.weekday()
            line = next((g for g in grid if g[0] == r.exercise and g[1 + wd] is None), None)
            if line is None:
                line = [r.exercise, *([None] * 7)]
                grid.append(line)
            line[1 + wd] = r.prescription
        cells = (
            (f"Athlete: {name}",),
            (),
            ("Week commencing", _dt.datetime.combine(monday, _dt.time())),
            ("Exercise", *_WEEKDAYS),
            *(tuple(g) for g in grid),
        )
        number = (monday - first).days // 7 + 1
        book[f"Week {number}"] = Cells(
            cells,
            not_data=(
                (1, 1, "title row"),
                (2, 1, "blank row"),
                (3, 1, "title row"),
                (4, 1, "header row"),
            ),
            entries=len(week),
            data_rows=len(grid),
            columns=("Exercise", *_WEEKDAYS),
            layout="grid",
        )
    return book


def _gym_export(rows: pd.DataFrame, name: str) -> Cells:
    """Gym rows of one athlete as a Google-Sheets export (title, units row, Total row)."""
    header = ("Athlete", "Date", "Exercise", "Sets", "Reps", "Load", "RPE", "Minutes", "Notes")
    body = [
        (name, pd.Timestamp(r.Date).strftime("%d/%m/%Y"), r.Exercise, str(r.Sets), r.Reps,
         kg_bare(r.Load) or None, str(r.RPE), str(r.Minutes), r.Notes or None)
        for r in rows.itertuples(index=False)
    ]  # fmt: skip
    total = ("Total", None, None, str(int(rows["Sets"].sum())), None, None, None,
             str(int(rows["Minutes"].sum())), None)  # fmt: skip
    cells = (
        ("S&C gym log - exported from Google Sheets",),
        (),
        header,
        (None, None, None, None, None, "kg", None, "min", None),
        *body,
        total,
    )
    n = len(cells)
    return Cells(
        cells,
        not_data=(
            (1, 1, "title row"),
            (2, 1, "blank row"),
            (3, 1, "header row"),
            (4, 1, "units row"),
            (n, 1, "summary row (Total)"),
        ),
        entries=len(body),
        data_rows=len(body),
        columns=header,
    )


def _european(rows: pd.DataFrame) -> Cells:
    """Gym rows of one athlete as a German-language, ``;``-separated CSV without a name."""
    header = ("Datum", "Übung", "Serien", "Wdh", "Gewicht", "RPE", "Bemerkung")

    def reps(text: str) -> str:
        t = str(text).replace(",", "/")
        return t.replace(" each leg", " L/R")

    body = [
        (pd.Timestamp(r.Date).strftime("%d.%m.%Y"), r.Exercise, str(r.Sets), reps(r.Reps),
         kg_bare(r.Load, decimal_comma=True) or None, str(r.RPE), r.Notes or None)
        for r in rows.itertuples(index=False)
    ]  # fmt: skip
    return Cells(
        (header, *body), sep=";", not_data=((1, 1, "header row"),), entries=len(body),
        data_rows=len(body), columns=header,
    )  # fmt: skip


def _marks(meets: pd.DataFrame, ok: np.ndarray) -> pd.Series:
    """``PB`` / ``SB`` after a time, as a results export prints them.

    In date order per athlete and event (FAT races of the meets file): ``SB`` when a race
    is the athlete's best of the season so far (the first race of the season is one),
    ``PB`` when it beats earlier races and stays the fastest of the season (the synthetic
    athletes have no earlier seasons).
    """
    m = meets.loc[ok, ["Athlete", "Event", "Time", "Date"]].copy()
    m["event"] = m["Event"].str.extract(r"(\d+)", expand=False)
    m["t"] = m["Time"].map(seconds)
    m["d"] = m["Date"].map(parse_date)
    m = m.sort_values(["d"], kind="stable")
    keys = ["Athlete", "event"]
    g = m.groupby(keys, sort=False)["t"]
    before = m.assign(best_so_far=g.cummin()).groupby(keys, sort=False)["best_so_far"].shift()
    best = g.transform("min")
    mark = np.where(before.isna() | (m["t"] < before), "SB", "")
    mark = np.where((mark == "SB") & before.notna() & (m["t"] == best), "PB", mark)
    return pd.Series(mark, index=m.index).reindex(meets.index).fillna("")


def _results_export(
    meets: pd.DataFrame, chosen: np.ndarray, sex_of: dict[str, str], meet: str, mark: pd.Series
) -> Cells:
    """The races of one meet as a meet-manager export: per day, per event, by place."""
    headers = {  # each event its own columns, as meet managers print them
        200: ("Pos", "Name", "Club", "Time", "Wind", "100m split"),
        400: ("Pos", "Name", "Club", "Time", "100m split", "200m split", "300m split"),
    }
    races = meets.loc[chosen].assign(
        d=lambda x: x["Date"].map(parse_date),
        event=lambda x: x["Event"].str.extract(r"(\d+)", expand=False).astype(int),
        t=lambda x: x["Time"].map(seconds),
        sex=lambda x: x["Athlete"].map(sex_of),
        rnd=lambda x: x["Round"].str.title(),
    )
    cells: list[tuple] = []
    not_data: list[tuple[int, int, str]] = []
    first_header = True
    k = 0

    def add(row: tuple, reason: str | None) -> None:
        cells.append(row)
        if reason is not None:
            not_data.append((len(cells), 1, reason))

    for day, on_day in races.groupby("d", sort=True):
        if cells:
            add((), "blank row")
        title = f"{meet} - {day:%d/%m/%Y}"
        add((title,), "title row" if first_header else f"heading: {title}")
        titled = True
        for (sex, event, rnd), block in on_day.groupby(["sex", "event", "rnd"], sort=True):
            k += 1
            if not titled:
                add((), "blank row")
            titled = False
            heading = f"Event {k}  {'Women' if sex == 'F' else 'Men'} {event}m {rnd}"
            add((heading,), "title row" if first_header else f"heading: {heading}")
            add(headers[event], "header row" if first_header else "header row (repeated)")
            first_header = False
            for pos, r in enumerate(block.sort_values("t", kind="stable").itertuples(), 1):
                time = time_text(r.t) + (f" {mark[r.Index]}" if mark[r.Index] else "")
                marks = (
                    (r.Wind or None, r.split_100 or None)
                    if event == 200
                    else (r.split_100 or None, r.split_200 or None, r.split_300 or None)
                )
                add((str(pos), r.Athlete, CLUB, time, *marks), None)
    return Cells(
        tuple(cells), not_data=tuple(not_data), entries=len(races), data_rows=len(races),
        columns=headers[400], layout="blocks",
    )  # fmt: skip


# ------------------------------------------------------------------ the whole move


def coach_layouts(frames: dict, roster: pd.DataFrame, faults: dict) -> dict:
    """The sample's files with some rows moved into the coach layouts (module notes).

    ``faults`` (the truth's) is updated in place: the deliberate faults follow their rows.
    Rosters of fewer than six athletes are returned unchanged.
    """
    if len(roster) < 6:
        return frames
    out = dict(frames)
    ids = roster["athlete_id"].tolist()
    name_of = dict(zip(roster["athlete_id"], roster["name"], strict=True))
    alias_of = dict(zip(roster["athlete_id"], roster["aliases"], strict=True))

    # ---- one athlete's track log as a weekly-grid workbook (the last athlete: masters)
    grid_id = ids[-1]
    name = name_of[grid_id]
    first, _, last = name.partition(" ")
    spellings = {name, f"{last}, {first}", *(s for s in [alias_of[grid_id]] if s)}
    moved = []
    for src, who, day, ex, presc, fmt in (
        ("logs/coach_a_2026.csv", "Athlete", "Date", "Exercise", "Sets x Reps", "%d/%m/%Y"),
        ("logs/coach_b.csv", "Name", "Day", "Drill", "Prescription", "%m/%d/%Y"),
    ):
        df = out[src]
        move = df[who].isin(spellings).to_numpy().copy()
        move[list(fault_rows(faults, src))] = False
        part = df.loc[move]
        moved.append(pd.DataFrame({
            "date": [_dt.datetime.strptime(s, fmt).date() for s in part[day]],
            "exercise": part[ex].to_numpy(), "prescription": part[presc].to_numpy(),
        }))  # fmt: skip
        out[src] = renumber(df, move, src, faults)
    track = pd.concat(moved, ignore_index=True)
    if len(track):
        out[f"logs/{name} weekly.xlsx"] = _weekly_grid(track, name)

    # ---- gym sessions of two athletes: a titled export and a European CSV
    book = dict(out["logs/gym_sessions.xlsx"])
    taken: dict[str, list[pd.DataFrame]] = {ids[1]: [], ids[2]: []}
    for sheet, df in book.items():
        if "Athlete" not in df.columns:
            continue
        for aid in taken:
            taken[aid].append(df[df["Athlete"] == aid])
        book[sheet] = df[~df["Athlete"].isin(list(taken))].reset_index(drop=True)
    out["logs/gym_sessions.xlsx"] = book
    export = pd.concat(taken[ids[1]], ignore_index=True)
    if len(export):
        out["logs/gym_export.csv"] = _gym_export(export, name_of[ids[1]])
    euro = pd.concat(taken[ids[2]], ignore_index=True)
    if len(euro):
        out[f"logs/{name_of[ids[2]]}.csv"] = _european(euro)

    # ---- the races of the season's most frequent meet as a meet-manager export
    src = "results/meets_2026.csv"
    meets = out[src]
    ok = np.ones(len(meets), dtype=bool)
    ok[list(fault_rows(faults, src))] = False
    ok &= (meets["Timing"] == "FAT").to_numpy(dtype=bool)
    counts = meets.loc[ok, "Meet"].value_counts()
    if len(counts):
        meet = str(counts.index[0])
        chosen = ok & (meets["Meet"] == meet).to_numpy()
        sex_of = {name_of[a]: s for a, s in zip(roster["athlete_id"], roster["sex"], strict=True)}
        mark = _marks(meets, ok)
        stem = re.sub(r"[^\w ]+", "", meet).strip()  # no "#": it separates sheet names
        out[f"results/{stem} results.csv"] = _results_export(meets, chosen, sex_of, meet, mark)
        out[src] = renumber(meets, chosen, src, faults)
    # ---- the second most frequent meet as FinishLynx heat files (analysis.sample.timing)
    return finishlynx_meet(out, roster, faults)
