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

from ..layout import Parsed
from . import FormatContext, Head
from ._apps import SetCells, SetRows, find_column, one_row_per_set, register_app, set_columns
from ._csv import read_sheet
from ._text import head_cells
from ._units import header_unit

NAME = "FitNotes export"
EVIDENCE = (
    "FitNotes' spreadsheet export as public importers read and test it: the header "
    "'Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time,Comment' "
    "with times '0:32:06' and units 'kgs'/'lbs'/'mi' (importer tests in several public "
    "repositories), and the 'Weight (kgs)' variant noted by an importer's common.js"
)


def sniff(head: Head) -> bool:
    """A header ``Date,Exercise,Category,...`` with reps and a weight column."""
    cells = head_cells(head)
    return (
        cells[:3] == ["date", "exercise", "category"]
        and "reps" in cells
        and any(c.startswith("weight") for c in cells)
    )


def read(path: Path, ctx: FormatContext) -> list[Parsed]:
    """One :class:`Parsed` log: a row per set."""
    sh = read_sheet(path, ctx.label, "FitNotes")
    d, header = sh.frame, sh.header

    def col(*names: str, prefix: str | None = None) -> str | None:
        return find_column(d.columns, *names, prefix=prefix, units=False)

    c_w, c_wu = col(prefix="weight"), col("weight unit")
    c_dist, c_du = col(prefix="distance"), col("distance unit")
    w_unit = header_unit(c_w) if c_w else ""
    cells = SetCells(
        date="Date" if "Date" in d else d.columns[0],
        exercise=col("exercise"),
        reps=col("reps"),
        weight=c_w,
        weight_unit=w_unit or "kg",
        weight_unit_column=c_wu,
        distance=c_dist,
        distance_unit="m",
        distance_unit_column=c_du,
        seconds=col("time"),
        notes=col("comment", "comments"),
    )
    values = set_columns(d, cells)
    sr = SetRows(rows=sh.rows, columns=values.columns, not_data=list(sh.not_data))
    roles = {
        header[0]: "date",
        "Exercise": "exercise",
        "Category": "not used (catalog family)",
        cells.reps: "reps",
        cells.seconds: "duration (h:mm:ss)",
        cells.notes: "notes",
        c_wu: "weight unit",
        c_du: "distance unit",
        c_w: f"load ({w_unit or ('per row' if c_wu else 'kg')})",
        c_dist: f"distance ({'per row' if c_du else 'm'})",
    }
    return one_row_per_set(ctx, NAME, sr, sh.shape, roles=roles,
                           describe=f"{NAME}, one row per set")  # fmt: skip


register_app(NAME, sniff, read, EVIDENCE)
