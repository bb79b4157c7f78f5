"""FitNotes (Android) training-log export: one row per set.

Layouts read (Settings > Spreadsheet export)::

    Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time[,Comment]
    Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time,Comment

The weight's unit is in its own column (``kgs``/``lbs``) or in the header; the distance's
in ``Distance Unit`` (``m``, ``km``, ``mi``, ``ft``, ``yds``), the set's time as
``h:mm:ss`` (``0:01:00``). FitNotes writes no workout length or RPE; its ``Category``
(``Legs``, ``Abs``, ``Cardio``) is not used (the catalog names the exercise's family).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import FileFormat, FormatContext, Head, register
from ._apps import (
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
    read_sheet,
    seconds,
    weights,
)

NAME = "FitNotes export"
EVIDENCE = (
    "FitNotes' spreadsheet export as public importers read and test it: the header "
    "'Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time,Comment' "
    "with times '0:32:06' and units 'kgs'/'lbs'/'mi' (importer tests in several public "
    "repositories), and the 'Weight (kgs)' variant noted by an importer's common.js"
)


def sniff(head: Head) -> bool:
    """A header ``Date,Exercise,Category,...`` with reps and a weight column."""
    cells = header_cells(header_line(head))
    return (
        cells[:3] == ["date", "exercise", "category"]
        and "reps" in cells
        and any(c.startswith("weight") for c in cells)
    )


def _col(df: pd.DataFrame, *names: str, prefix: str | None = None) -> str | None:
    for c in df.columns:
        k = c.casefold()
        if k in names or (prefix and k.startswith(prefix) and "unit" not in k):
            return c
    return None


def read(path: Path, ctx: FormatContext) -> list:
    """One :class:`Parsed` log: a row per set."""
    sh = read_sheet(path, ctx.label, "FitNotes")
    header_row, header, d, src = sh.header_row, sh.header, sh.frame, sh.rows
    na = pd.Series(pd.NA, index=d.index, dtype="string")
    c_w, c_wu = _col(d, prefix="weight"), _col(d, "weight unit")
    c_dist, c_du = _col(d, prefix="distance"), _col(d, "distance unit")
    c_time, c_reps, c_com = _col(d, "time"), _col(d, "reps"), _col(d, "comment", "comments")
    w_unit = header_unit(c_w) if c_w else ""
    load = weights(d[c_w], d[c_wu] if c_wu else (w_unit or "kg")) if c_w else na
    dist = metres(d[c_dist], d[c_du] if c_du else "m") if c_dist else na
    dur = seconds(d[c_time]) if c_time else na
    reps = d[c_reps] if c_reps else na
    reps = reps.mask(numbers(reps).fillna(-1).eq(0) & (dist.notna() | dur.notna()))
    sr = SetRows(
        rows=src,
        columns={
            "date": app_dates(d["Date"] if "Date" in d else d.iloc[:, 0]),
            "exercise": d[_col(d, "exercise")],
            "sets": pd.Series("1", index=d.index, dtype="string"),
            "reps": reps,
            "load": load,
            "distance": dist,
            "duration": dur,
            "notes": join_notes(d[c_com]) if c_com else na,
        },
        not_data=[(header_row, 1, "header row"), *sh.not_data[1:]],
    )
    roles = {
        header[0]: "date",
        "Exercise": "exercise",
        "Category": "not used (catalog family)",
        c_reps: "reps",
        c_time: "duration (h:mm:ss)",
        c_com: "notes",
        c_wu: "weight unit",
        c_du: "distance unit",
        c_w: f"load ({w_unit or ('per row' if c_wu else 'kg')})",
        c_dist: f"distance ({'per row' if c_du else 'm'})",
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
            describe=f"{NAME}, one row per set",
        )
    ]


register(FileFormat(NAME, "log", (".csv", ".txt"), sniff, guarded(NAME, read), EVIDENCE))
