"""Strong (strong.app) workout export: one row per set.

Layouts read
------------
Current (Strong 5.x/6.x, all cells quoted, ``;`` or ``,``)::

    "Workout #";"Date";"Workout Name";"Duration (sec)";"Exercise Name";"Set Order";
    "Weight (kg)";"Reps";"RPE";"Distance (meters)";"Seconds";"Notes";"Workout Notes"

``Set Order`` is the set's number, ``W`` (warm-up), ``D`` (drop set), ``F`` (failure),
``Rest Timer`` (a rest between sets, its length in ``Seconds``: not a set) or ``Note``
(an exercise note: not a set). Units are in the headers: ``Weight (kg)`` / ``Weight
(lbs)``, ``Distance (meters)`` / ``(km)`` / ``(miles)`` / ``(feet)``.

Older (2018-2022, ``,`` or ``;``)::

    Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,
    Notes,Workout Notes,RPE
    Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;
    Distance Unit;Seconds;Notes;Workout Notes;Workout Duration

a unit-less ``Weight`` (kg unless a ``Weight Unit`` column or ``hipflex.toml`` ``[units]``
says otherwise), ``Distance`` in metres likewise, the workout's ``Duration`` as ``1h 2m``
or ``45m``, ``0`` for an unused distance or time, and the phone's clock in the date
(``2026-03-02 19:59:12``, ``2026-03-02 7:59:12 pm`` with the narrow no-break space some
phones put before ``pm``).

The workout's length (``Duration (sec)``, ``Duration``, ``Workout Duration``) becomes the
session's ``session_min`` and the sets' RPE the session's ``rpe`` (their mean; each set's
RPE stays in its notes), never a set's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..layout import Parsed
from . import FormatContext, Head
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
from ._csv import Sheet, read_sheet
from ._text import head_cells
from ._units import header_unit, minutes, numbers, per_distinct

NAME = "Strong export"
EVIDENCE = (
    "Strong's CSV export as shown in public importers and their fixtures: the current "
    "all-quoted ';' layout with 'Workout #', 'Duration (sec)', 'Weight (kg)', 'Distance "
    "(meters)' and 'Rest Timer'/'W' set orders (e.g. openweight converters, mishirube "
    "strong_import tests, strong-statistics); the older layouts with 'Weight Unit'/"
    "'Distance Unit' (mtanzim/vis-strong-go README, mwcaisse/strong-data-viz "
    "StrongExportRow.ts) and the unit-less 'Weight' with a '1h 2m' Duration"
)


def sniff(head: Head) -> bool:
    """A header naming ``Exercise Name`` and ``Set Order`` (every Strong layout does)."""
    cells = head_cells(head)
    return "exercise name" in cells and "set order" in cells and "date" in cells


@dataclass(frozen=True)
class _StrongColumns:
    """The columns of a Strong export (None: the layout has none) and the units it says."""

    cells: SetCells  # the set's values
    order: str | None  # "Set Order": a set's number, W/D/F, Rest Timer, Note
    workout_number: str | None  # "Workout #" (current layout)
    workout_name: str | None
    duration_s: str | None  # "Duration (sec)"
    duration: str | None  # "Duration" (1h 2m), "Workout Duration"
    weight_unit: str  # from the header or hipflex.toml, "" when neither says
    distance_unit: str


def _columns_of(cols: list[str], hinted_units: dict[str, str]) -> _StrongColumns:
    """Which column holds what, in the current and the older layouts."""
    units_hint = {k.casefold(): v for k, v in hinted_units.items()}

    def find(*names: str, prefix: str | None = None) -> str | None:
        return find_column(cols, *names, prefix=prefix)

    c_w = find("weight", prefix="weight (") or find("weight (kg)")
    c_dist = find("distance", prefix="distance (")
    c_wu, c_du = find("weight unit"), find("distance unit")
    w_unit = (header_unit(c_w) or units_hint.get(c_w.casefold(), "")) if c_w else ""
    d_unit = (header_unit(c_dist) or units_hint.get(c_dist.casefold(), "")) if c_dist else ""
    cells = SetCells(
        date=find("date"),
        exercise=find("exercise name"),
        reps=find("reps"),
        weight=c_w,
        weight_unit=w_unit or "kg",
        weight_unit_column=c_wu,
        distance=c_dist,
        distance_unit=d_unit or "m",
        distance_unit_column=c_du,
        seconds=find("seconds"),
        rpe=find("rpe"),
        notes=find("notes"),
    )
    return _StrongColumns(
        cells,
        order=find("set order"),
        workout_number=find("workout #"),
        workout_name=find("workout name"),
        duration_s=find("duration (sec)", "duration (seconds)", "duration (s)"),
        duration=find("duration", "workout duration"),
        weight_unit=w_unit,
        distance_unit=d_unit,
    )


@dataclass(frozen=True)
class _StrongSets:
    """The set rows of a Strong export, apart from its rest-timer and exercise-note rows."""

    frame: pd.DataFrame  # the set rows, 0..n-1
    order: pd.Series  # each set's "Set Order", lower case
    rows: np.ndarray  # the line of each set
    not_data: list[tuple[int, int, str]]
    rests: int
    notes: int


def _sets_of(sh: Sheet, c_order: str) -> _StrongSets:
    """The set rows; ``Rest Timer`` and ``Note`` rows are not data (listed with why)."""
    order = sh.frame[c_order].fillna("").str.strip().str.casefold()
    rest = order.isin(["rest timer", "rest", "timer"]).to_numpy()
    note = order.isin(["note", "notes"]).to_numpy()
    sets = ~rest & ~note
    not_data = list(sh.not_data)
    not_data += [(int(r), 1, "rest timer (a rest between sets, not a set)") for r in sh.rows[rest]]
    not_data += [(int(r), 1, "exercise note (not a set)") for r in sh.rows[note]]
    return _StrongSets(
        sh.frame.loc[sets].reset_index(drop=True),
        order[sets].reset_index(drop=True),
        sh.rows[sets],
        not_data,
        int(rest.sum()),
        int(note.sum()),
    )


def _session_minutes(d: pd.DataFrame, c: _StrongColumns) -> pd.Series | None:
    """The workout's length in minutes per set row, from ``Duration (sec)`` or ``Duration``."""
    if c.duration_s:
        return numbers(d[c.duration_s]) / 60
    if c.duration:
        return per_distinct(d[c.duration], minutes, "Float64")
    return None


def _roles_of(c: _StrongColumns) -> dict[str | None, str]:
    """What each column is read as (``hipflex inspect`` shows it)."""
    s = c.cells
    roles = {
        s.exercise: "exercise",
        c.order: "set type (W/D/F flagged; Rest Timer, Note not sets)",
        s.date: "date",
        s.reps: "reps",
        s.notes: "notes",
        s.rpe: "RPE (session: mean)",
        c.workout_number: "workout",
        c.workout_name: "workout",
        c.duration_s: "session minutes",
        c.duration: "session minutes",
        s.seconds: "duration (s)",
        s.weight_unit_column: "weight unit",
        s.distance_unit_column: "distance unit",
    }
    w_unit, d_unit = c.weight_unit, c.distance_unit
    if s.weight:
        roles[s.weight] = (
            f"load ({w_unit or 'per row' if s.weight_unit_column else w_unit or 'kg'})"
        )
    if s.distance:
        roles[s.distance] = f"distance ({d_unit or ('per row' if s.distance_unit_column else 'm')})"
    return roles


def read(path: Path, ctx: FormatContext) -> list[Parsed]:
    """One :class:`Parsed` log: a row per set (warm-up, drop and failure sets flagged)."""
    sh = read_sheet(path, ctx.label, "Strong")
    c = _columns_of(list(sh.frame.columns), ctx.hints.units)
    kept = _sets_of(sh, c.order)
    d = kept.frame
    flag = set_flags(kept.order, lambda s: s.isdigit() or not s, "set order")
    values = set_columns(d, c.cells, flag=flag)
    if c.workout_number:
        workout = d[c.workout_number]
    else:
        workout = (
            d[c.cells.date].fillna("")
            + "|"
            + (d[c.workout_name].fillna("") if c.workout_name else "")
        )
    sr = SetRows(
        rows=kept.rows,
        columns=values.columns,
        workout=workout,
        session_min=_session_minutes(d, c),
        set_rpe=values.set_rpe,
        not_data=kept.not_data,
        counts={
            "{n} rest-timer row{s} {are} not {a}set{s}": kept.rests,
            "{n} exercise-note row{s} {are} not {a}set{s}": kept.notes,
            **flag_counts(flag),
        },
    )
    layout = "current" if c.workout_number else "older"
    return one_row_per_set(
        ctx,
        NAME,
        sr,
        sh.shape,
        roles=_roles_of(c),
        describe=f"{NAME} ({layout} layout), one row per set",
        units={"weight": c.weight_unit, "distance": c.distance_unit},
    )


register_app(NAME, sniff, read, EVIDENCE)
