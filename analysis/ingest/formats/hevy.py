"""Hevy (hevyapp.com) workout export: one row per set.

Layout read (Settings > Export data, every cell quoted)::

    "title","start_time","end_time","description","exercise_title","superset_id",
    "exercise_notes","set_index","set_type","weight_kg","reps","distance_km",
    "duration_seconds","rpe"

with dates as the app writes them (``2 Mar 2026, 19:59``; older exports and other
locales ISO or ``Mar 2, 2026, 7:59 PM``), and the imperial variant ``weight_lbs`` /
``distance_miles``. ``set_type`` is ``normal``, ``warmup``, ``dropset`` or ``failure``:
every set is kept, the last three flagged in ``notes``. The workout's length
(``end_time - start_time``) becomes ``session_min``, the sets' RPE the session's ``rpe``
(their mean; each set's RPE stays in its notes).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import FileFormat, FormatContext, Head, register
from ._apps import (
    SET_TYPES,
    SetRows,
    app_dates,
    build,
    guarded,
    header_cells,
    header_line,
    header_unit,
    join_notes,
    metres,
    numbers,
    per_distinct,
    read_sheet,
    seconds,
    span_minutes,
    weights,
)

NAME = "Hevy export"
EVIDENCE = (
    "Hevy's CSV export as public importers type and test it: Jake-Leicht/Hevy-Dashboard-App "
    "interfaces.ts (weight_lbs, distance_miles), adrianbb05/training_charts WorkoutData.ts "
    "(weight_kg, distance_km), importer tests writing dates as '18 Sep 2026, 13:27', and "
    "Hevy's API docs for set_type (normal, warmup, dropset, failure)"
)


def sniff(head: Head) -> bool:
    """A header naming ``exercise_title``, ``set_index`` and ``start_time``."""
    cells = header_cells(header_line(head))
    return {"exercise_title", "start_time"} <= set(cells) and (
        "set_index" in cells or "set_type" in cells
    )


def _col(df: pd.DataFrame, *names: str, prefix: str | None = None) -> str | None:
    for c in df.columns:
        k = c.casefold()
        if k in names or (prefix and k.startswith(prefix)):
            return c
    return None


def read(path: Path, ctx: FormatContext) -> list:
    """One :class:`Parsed` log: a row per set (warm-up, drop and failure sets flagged)."""
    sh = read_sheet(path, ctx.label, "Hevy")
    header_row, header, d, src = sh.header_row, sh.header, sh.frame, sh.rows
    c_w = _col(d, prefix="weight")
    c_dist = _col(d, prefix="distance")
    c_ex, c_start, c_end = _col(d, "exercise_title"), _col(d, "start_time"), _col(d, "end_time")
    c_type, c_reps, c_dur = _col(d, "set_type"), _col(d, "reps"), _col(d, "duration_seconds")
    c_rpe, c_notes, c_title = _col(d, "rpe"), _col(d, "exercise_notes"), _col(d, "title")
    na = pd.Series(pd.NA, index=d.index, dtype="string")

    w_unit = header_unit(c_w) if c_w else ""
    d_unit = header_unit(c_dist) if c_dist else ""
    load = weights(d[c_w], w_unit or "kg") if c_w else na
    dist = metres(d[c_dist], d_unit or "km") if c_dist else na
    dur = seconds(d[c_dur]) if c_dur else na
    reps = d[c_reps] if c_reps else na
    reps = reps.mask(numbers(reps).fillna(-1).eq(0) & (dist.notna() | dur.notna()))
    kind = d[c_type].fillna("").str.strip().str.casefold() if c_type else na.fillna("")
    flag = per_distinct(
        kind,
        lambda s: SET_TYPES.get(s, None if s in ("", "normal") else f"set type {s!r}"),
        "string",
    )
    set_rpe = numbers(d[c_rpe]) if c_rpe else None
    rpe_note = ("RPE " + d[c_rpe]).where(set_rpe.notna()) if c_rpe else None
    notes = join_notes(
        *(p for p in (flag, rpe_note, d[c_notes] if c_notes else None) if p is not None)
    )
    mins = span_minutes(d[c_start], d[c_end], ctx.dayfirst) if c_end else None
    workout = d[c_start].fillna("") + "|" + (d[c_title].fillna("") if c_title else "")
    sr = SetRows(
        rows=src,
        columns={
            "date": app_dates(d[c_start]),
            "exercise": d[c_ex],
            "sets": pd.Series("1", index=d.index, dtype="string"),
            "reps": reps,
            "load": load,
            "distance": dist,
            "duration": dur,
            "notes": notes,
        },
        workout=workout,
        session_min=mins,
        set_rpe=set_rpe,
        not_data=[(header_row, 1, "header row"), *sh.not_data[1:]],
        counts={
            "{n} warm-up set{s} kept and flagged": int((flag == "warm-up set").sum()),
            "{n} drop set{s} kept and flagged": int((flag == "drop set").sum()),
            "{n} failure set{s} kept and flagged": int((flag == "failure set").sum()),
        },
    )
    roles = {
        c_title: "workout",
        c_start: "date (and session start)",
        c_end: "session end (session minutes)",
        c_ex: "exercise",
        c_type: "set type (warmup/dropset/failure flagged)",
        c_reps: "reps",
        c_dur: "duration (s)",
        c_rpe: "RPE (session: mean)",
        c_notes: "notes",
        c_w: f"load ({w_unit or 'kg'})",
        c_dist: f"distance ({d_unit or 'km'}, to m)",
    }
    return [
        build(
            ctx,
            NAME,
            sr,
            header_row=header_row,
            header=header,
            roles={k: v for k, v in roles.items() if k},
            rows_total=sh.last_line,
            ragged=sh.ragged,
            describe=f"{NAME} ({'imperial' if w_unit == 'lb' else 'metric'}), one row per set",
            units={k: v for k, v in (("weight", w_unit), ("distance", d_unit)) if v},
        )
    ]


register(FileFormat(NAME, "log", (".csv", ".txt"), sniff, guarded(NAME, read), EVIDENCE))
