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
    minutes,
    numbers,
    per_distinct,
    read_sheet,
    seconds,
    weights,
)

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
    cells = header_cells(header_line(head))
    return "exercise name" in cells and "set order" in cells and "date" in cells


def _find(cols: list[str], *names: str, prefix: str | None = None) -> str | None:
    for c in cols:
        k = c.casefold()
        if k in names or (prefix and k.startswith(prefix)):
            return c
    return None


def read(path: Path, ctx: FormatContext) -> list:
    """One :class:`Parsed` log: a row per set (warm-up, drop and failure sets flagged)."""
    sh = read_sheet(path, ctx.label, "Strong")
    header_row, header, df, src = sh.header_row, sh.header, sh.frame, sh.rows
    cols = list(df.columns)
    c_ex = _find(cols, "exercise name")
    c_order = _find(cols, "set order")
    c_date = _find(cols, "date")
    c_w = _find(cols, "weight", prefix="weight (") or _find(cols, "weight (kg)")
    c_wu = _find(cols, "weight unit")
    c_reps = _find(cols, "reps")
    c_dist = _find(cols, "distance", prefix="distance (")
    c_du = _find(cols, "distance unit")
    c_sec = _find(cols, "seconds")
    c_rpe = _find(cols, "rpe")
    c_notes = _find(cols, "notes")
    c_wnum = _find(cols, "workout #")
    c_wname = _find(cols, "workout name")
    c_dur_s = _find(cols, "duration (sec)", "duration (seconds)", "duration (s)")
    c_dur = _find(cols, "duration", "workout duration")
    units_hint = {k.casefold(): v for k, v in ctx.hints.units.items()}

    order = df[c_order].fillna("").str.strip().str.casefold()
    rest = order.isin(["rest timer", "rest", "timer"]).to_numpy()
    note = order.isin(["note", "notes"]).to_numpy()
    sets = ~rest & ~note
    not_data = [(header_row, 1, "header row")]
    not_data += [(int(r), 1, "rest timer (a rest between sets, not a set)") for r in src[rest]]
    not_data += [(int(r), 1, "exercise note (not a set)") for r in src[note]]
    not_data += sh.not_data[1:]
    d = df.loc[sets].reset_index(drop=True)
    o = order[sets].reset_index(drop=True)

    if c_w is None:
        load = pd.Series(pd.NA, index=d.index, dtype="string")
        w_unit = ""
    else:
        w_unit = header_unit(c_w) or units_hint.get(c_w.casefold(), "")
        load = weights(d[c_w], d[c_wu] if c_wu else (w_unit or "kg"))
    d_unit = (header_unit(c_dist) or units_hint.get(c_dist.casefold(), "")) if c_dist else ""
    dist = (
        metres(d[c_dist], d[c_du] if c_du else (d_unit or "m"))
        if c_dist
        else pd.Series(pd.NA, index=d.index, dtype="string")
    )
    dur = seconds(d[c_sec]) if c_sec else pd.Series(pd.NA, index=d.index, dtype="string")
    reps = d[c_reps] if c_reps else pd.Series(pd.NA, index=d.index, dtype="string")
    # a timed or distance set writes 0 reps: the reps are not used, not zero
    zero_reps = numbers(reps).fillna(-1).eq(0)
    reps = reps.mask(zero_reps & (dist.notna() | dur.notna()))

    flag = per_distinct(
        o,
        lambda s: SET_TYPES.get(s, None if s.isdigit() or not s else f"set order {s!r}"),
        "string",
    )
    set_rpe = numbers(d[c_rpe]) if c_rpe else None
    rpe_note = ("RPE " + d[c_rpe]).where(set_rpe.notna()) if c_rpe else None
    notes = join_notes(
        *(p for p in (flag, rpe_note, d[c_notes] if c_notes else None) if p is not None)
    )

    if c_dur_s:
        mins = numbers(d[c_dur_s]) / 60
    elif c_dur:
        mins = per_distinct(d[c_dur], minutes, "Float64")
    else:
        mins = None
    if c_wnum:
        workout = d[c_wnum]
    else:
        workout = d[c_date].fillna("") + "|" + (d[c_wname].fillna("") if c_wname else "")
    sr = SetRows(
        rows=src[sets],
        columns={
            "date": app_dates(d[c_date]),
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
        not_data=not_data,
        counts={
            "{n} rest-timer row{s} {are} not {a}set{s}": int(rest.sum()),
            "{n} exercise-note row{s} {are} not {a}set{s}": int(note.sum()),
            "{n} warm-up set{s} kept and flagged": int((flag == "warm-up set").sum()),
            "{n} drop set{s} kept and flagged": int((flag == "drop set").sum()),
            "{n} failure set{s} kept and flagged": int((flag == "failure set").sum()),
        },
    )
    roles = {
        c_ex: "exercise",
        c_order: "set type (W/D/F flagged; Rest Timer, Note not sets)",
        c_date: "date",
        c_reps: "reps",
        c_notes: "notes",
        c_rpe: "RPE (session: mean)",
        c_wnum: "workout",
        c_wname: "workout",
        c_dur_s: "session minutes",
        c_dur: "session minutes",
        c_sec: "duration (s)",
        c_wu: "weight unit",
        c_du: "distance unit",
    }
    if c_w:
        roles[c_w] = f"load ({w_unit or 'per row' if c_wu else w_unit or 'kg'})"
    if c_dist:
        roles[c_dist] = f"distance ({d_unit or ('per row' if c_du else 'm')})"
    layout = "current" if c_wnum else "older"
    parsed = build(
        ctx,
        NAME,
        sr,
        header_row=header_row,
        header=header,
        roles={k: v for k, v in roles.items() if k},
        rows_total=sh.last_line,
        ragged=sh.ragged,
        describe=f"{NAME} ({layout} layout), one row per set",
        units={k: v for k, v in (("weight", w_unit), ("distance", d_unit)) if v},
    )
    return [parsed]


register(FileFormat(NAME, "log", (".csv", ".txt"), sniff, guarded(NAME, read), EVIDENCE))
