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
``truth.json`` follow their rows. For every file and sheet, :func:`file_truth` writes down
what the reader must find: its rows, the data rows, the entries handed to the cleaners,
the clean, rejected and duplicate ones, and every row that is not data with its reason
(``rows in = clean + rejected + duplicates``; ``raw rows = data rows + not-data rows``).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import reasons as R

__all__ = ["Cells", "app_exports", "coach_layouts", "file_truth"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CLUB = "Harbour AC"


@dataclass(frozen=True)
class Cells:
    """A CSV or a workbook sheet written cell by cell (titles, units, grids, blocks).

    Attributes
    ----------
    rows
        The rows from row 1, each a tuple of cells (``None``: an empty cell; an empty
        tuple: a blank row).
    sep
        Field separator when written as CSV.
    not_data
        ``(first row, rows, reason)`` of every row that is not data, as the reader
        lists them.
    entries
        Entries the rows hold (a grid row holds one per filled day cell).
    data_rows, columns, layout
        Rows holding entries; the (first) header; what the reader should call the
        layout (``table``, ``grid`` or ``blocks``).
    """

    rows: tuple[tuple, ...]
    sep: str = ","
    not_data: tuple[tuple[int, int, str], ...] = ()
    entries: int = 0
    data_rows: int = 0
    columns: tuple[str, ...] = field(default=())
    layout: str = "table"
    #: how the CSV is written (a timing system's file: ``cp1252`` and ``\r\n``)
    encoding: str = "utf-8"
    lineterminator: str = "\n"


# ------------------------------------------------------------------ helpers


def _renumber(frame: pd.DataFrame, move: np.ndarray, source: str, faults: dict) -> pd.DataFrame:
    """``frame`` without the rows in ``move``; the faults of ``source`` follow their rows."""
    kept = ~move
    new_row = np.cumsum(kept) + 1  # row 1 is the header
    for group in ("rejected", "duplicate", "results"):
        for f in faults.get(group, []):
            if f["source"] == source:
                old = f["source_row"] - 2
                assert kept[old], f"a deliberate fault row of {source} was moved"
                f["source_row"] = int(new_row[old])
    return frame.loc[kept].reset_index(drop=True)


def _fault_rows(faults: dict, source: str) -> set[int]:
    return {
        f["source_row"] - 2
        for group in ("rejected", "duplicate", "results")
        for f in faults.get(group, [])
        if f["source"] == source
    }


def _seconds(text: str) -> float:
    t = str(text).strip()
    m, _, s = t.rpartition(":")
    return (int(m) * 60 if m else 0) + float(s)


def _time_text(t: float) -> str:
    if t >= 60:
        m, s = divmod(round(t, 2), 60)
        return f"{int(m)}:{s:05.2f}"
    return f"{t:.2f}"


def _date(text: object) -> _dt.date:
    s = str(text).strip()
    try:
        return _dt.date.fromisoformat(s)
    except ValueError:
        return _dt.datetime.strptime(s, "%d %b %Y").date()


def _kg_bare(load: str, decimal_comma: bool = False) -> str:
    """A load in kilograms as a bare number (``10kg`` -> ``10``); other loads unchanged."""
    s = str(load).strip()
    low = s.lower().replace(" ", "")
    if low.endswith("kg") and low[:-2].replace(".", "", 1).isdigit():
        num = low[:-2]
        return num.replace(".", ",") if decimal_comma else num
    if decimal_comma and low.endswith("lb"):
        return low[:-2] + " lb"
    return s


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
         _kg_bare(r.Load) or None, str(r.RPE), str(r.Minutes), r.Notes or None)
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
         _kg_bare(r.Load, decimal_comma=True) or None, str(r.RPE), r.Notes or None)
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
    m["t"] = m["Time"].map(_seconds)
    m["d"] = m["Date"].map(_date)
    m = m.sort_values(["d"], kind="stable")
    g = m.groupby(["Athlete", "event"], sort=False)["t"]
    before = g.transform(lambda s: s.cummin().shift())
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
        d=lambda x: x["Date"].map(_date),
        event=lambda x: x["Event"].str.extract(r"(\d+)", expand=False).astype(int),
        t=lambda x: x["Time"].map(_seconds),
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
                time = _time_text(r.t) + (f" {mark[r.Index]}" if mark[r.Index] else "")
                marks = (
                    (r.Wind or None, r.split_100 or None)
                    if event == 200
                    else (r.split_100 or None, r.split_200 or None, r.split_300 or None)
                )
                add((str(pos), r.Athlete, _CLUB, time, *marks), None)
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
        move[list(_fault_rows(faults, src))] = False
        part = df.loc[move]
        moved.append(pd.DataFrame({
            "date": [_dt.datetime.strptime(s, fmt).date() for s in part[day]],
            "exercise": part[ex].to_numpy(), "prescription": part[presc].to_numpy(),
        }))  # fmt: skip
        out[src] = _renumber(df, move, src, faults)
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
    ok[list(_fault_rows(faults, src))] = False
    ok &= (meets["Timing"] == "FAT").to_numpy(dtype=bool)
    counts = meets.loc[ok, "Meet"].value_counts()
    if len(counts):
        meet = str(counts.index[0])
        chosen = ok & (meets["Meet"] == meet).to_numpy()
        sex_of = {name_of[a]: s for a, s in zip(roster["athlete_id"], roster["sex"], strict=True)}
        mark = _marks(meets, ok)
        stem = re.sub(r"[^\w ]+", "", meet).strip()  # no "#": it separates sheet names
        out[f"results/{stem} results.csv"] = _results_export(meets, chosen, sex_of, meet, mark)
        out[src] = _renumber(meets, chosen, src, faults)
    # ---- the second most frequent meet as FinishLynx heat files (analysis.sample_timing)
    from .sample_timing import finishlynx_meet

    return finishlynx_meet(out, roster, faults)


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
        ok[list(_fault_rows(faults, f"logs/gym_sessions.xlsx#{sheet}"))] = False
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


def file_truth(frames: dict, faults: dict) -> list[dict]:
    """What the reader must find in each file and sheet of the sample (module notes).

    One record per file or sheet read (the roster and the skipped sheets left out):
    ``source, layout, raw_rows, data_rows, not_data, rows_read, clean, rejected,
    duplicates`` and ``not_data_rows`` (``[first row, rows, reason]``).
    """
    skipped = set(faults.get("skipped", []))
    rejected: dict[str, int] = {}
    for f in faults.get("rejected", []):
        rejected[f["source"]] = rejected.get(f["source"], 0) + 1
    for f in faults.get("results", []):
        if f.get("reason") == R.UNSUPPORTED_EVENT:
            rejected[f["source"]] = rejected.get(f["source"], 0) + 1
    dups: dict[str, int] = {}
    for f in faults.get("duplicate", []):
        dups[f["source"]] = dups.get(f["source"], 0) + 1

    def one(source: str, frame, layout: str) -> dict:
        if isinstance(frame, Cells):
            nd = [list(x) for x in frame.not_data]
            raw, data, entries = len(frame.rows), frame.data_rows, frame.entries
        else:
            nd = [[1, 1, "header row"]]
            raw, data, entries = len(frame) + 1, len(frame), len(frame)
        rej, dup = rejected.get(source, 0), dups.get(source, 0)
        return {"source": source, "layout": layout, "raw_rows": raw, "data_rows": data,
                "not_data": sum(n for _, n, _ in nd), "rows_read": entries,
                "clean": entries - rej - dup, "rejected": rej, "duplicates": dup,
                "not_data_rows": nd}  # fmt: skip

    out = []
    for rel, frame in frames.items():
        if rel == "athletes.csv":
            continue
        if isinstance(frame, dict):
            for sheet, df in frame.items():
                source = f"{rel}#{sheet}"
                if source in skipped:
                    continue
                out.append(one(source, df, df.layout if isinstance(df, Cells) else "table"))
            continue
        out.append(one(rel, frame, frame.layout if isinstance(frame, Cells) else "table"))
    return out
