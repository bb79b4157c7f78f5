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

from ..layout import Parsed
from . import FormatContext, Head
from ._app_dates import span_minutes
from ._apps import (
    SetCells,
    SetRows,
    find_column,
    flag_counts,
    one_row_per_set,
    register_app,
    set_columns,
    set_flags,
)
from ._csv import read_sheet
from ._text import head_cells
from ._units import header_unit

NAME = "Hevy export"
EVIDENCE = (
    "Hevy's CSV export as public importers type and test it: Jake-Leicht/Hevy-Dashboard-App "
    "interfaces.ts (weight_lbs, distance_miles), adrianbb05/training_charts WorkoutData.ts "
    "(weight_kg, distance_km), importer tests writing dates as '18 Sep 2026, 13:27', and "
    "Hevy's API docs for set_type (normal, warmup, dropset, failure)"
)


def sniff(head: Head) -> bool:
    """A header naming ``exercise_title``, ``set_index`` and ``start_time``."""
    cells = head_cells(head)
    return {"exercise_title", "start_time"} <= set(cells) and (
        "set_index" in cells or "set_type" in cells
    )


def read(path: Path, ctx: FormatContext) -> list[Parsed]:
    """One :class:`Parsed` log: a row per set (warm-up, drop and failure sets flagged)."""
    sh = read_sheet(path, ctx.label, "Hevy")
    d = sh.frame

    def col(*names: str, prefix: str | None = None) -> str | None:
        return find_column(d.columns, *names, prefix=prefix)

    c_w, c_dist = col(prefix="weight"), col(prefix="distance")
    c_start, c_end, c_type = col("start_time"), col("end_time"), col("set_type")
    c_title = col("title")
    w_unit = header_unit(c_w) if c_w else ""
    d_unit = header_unit(c_dist) if c_dist else ""
    cells = SetCells(
        date=c_start,
        exercise=col("exercise_title"),
        reps=col("reps"),
        weight=c_w,
        weight_unit=w_unit or "kg",
        distance=c_dist,
        distance_unit=d_unit or "km",
        seconds=col("duration_seconds"),
        rpe=col("rpe"),
        notes=col("exercise_notes"),
    )
    kind = d[c_type].fillna("").str.strip().str.casefold() if c_type else None
    if kind is None:
        kind = pd.Series("", index=d.index, dtype="string")
    flag = set_flags(kind, lambda s: s in ("", "normal"), "set type")
    values = set_columns(d, cells, flag=flag)
    sr = SetRows(
        rows=sh.rows,
        columns=values.columns,
        workout=d[c_start].fillna("") + "|" + (d[c_title].fillna("") if c_title else ""),
        session_min=span_minutes(d[c_start], d[c_end], ctx.dayfirst) if c_end else None,
        set_rpe=values.set_rpe,
        not_data=list(sh.not_data),
        counts=flag_counts(flag),
    )
    roles = {
        c_title: "workout",
        c_start: "date (and session start)",
        c_end: "session end (session minutes)",
        cells.exercise: "exercise",
        c_type: "set type (warmup/dropset/failure flagged)",
        cells.reps: "reps",
        cells.seconds: "duration (s)",
        cells.rpe: "RPE (session: mean)",
        cells.notes: "notes",
        c_w: f"load ({w_unit or 'kg'})",
        c_dist: f"distance ({d_unit or 'km'}, to m)",
    }
    units = "imperial" if w_unit == "lb" else "metric"
    return one_row_per_set(ctx, NAME, sr, sh.shape, roles=roles,
                           describe=f"{NAME} ({units}), one row per set",
                           units={"weight": w_unit, "distance": d_unit})  # fmt: skip


register_app(NAME, sniff, read, EVIDENCE)
