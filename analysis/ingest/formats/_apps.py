"""What the training apps' exports have in common (Strong, Hevy, FitNotes, JEFIT).

Not a format of its own (its name starts with ``_``: the registry does not import it as
one). The product modules read their files into one row per set (or per packed row, for
JEFIT) and hand the columns here, where they become the raw text columns the log cleaner
reads:

* ``sets`` is ``1`` for a set row: sets whose reps differ (10, 8, 8) count exactly;
* weights carry their unit, distances are in metres, timed sets in seconds
  (:mod:`._units`); dates become the day (:mod:`._app_dates`);
* a warm-up, drop or failure set is kept and flagged in ``notes`` (``warm-up set``);
* the workout's length and RPE go to the session columns ``session_min`` and ``rpe``
  (:mod:`analysis.srpe`), written on the workout's first set row only, so that a day with
  two workouts counts two sessions and a day with one counts one;
* the athlete comes from the file's folder, its name or ``hipflex.toml``
  (:meth:`FormatContext.athlete_from_path`); a file whose athlete cannot be found has
  every row rejected, the athlete cell saying why.

:func:`set_columns` makes a one-row-per-set export's columns (Strong, Hevy, FitNotes);
:func:`one_row_per_set` makes every app reader's rows into its :class:`Parsed`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import DataError
from ..layout import Layout, Parsed
from . import FileFormat, FormatContext, Head, register
from ._app_dates import app_dates
from ._csv import TableShape
from ._units import fmt_number, metres, numbers, per_distinct, seconds, weights

#: the athlete cell of a file whose athlete cannot be found (the reject's value says why)
NO_ATHLETE = (
    "(no athlete: {file} names none; put it in a folder named for the athlete, "
    "e.g. logs/<name>/{name}, name the file for the athlete, or set athlete in hipflex.toml)"
)


def guarded(name: str, read: Callable) -> Callable:
    """``read`` whose unexpected failure is one :class:`DataError` naming the file.

    A reader's defect on bytes nobody foresaw lists the file as not read, with the
    reason (``could not read this ... (internal error ...)``), never a traceback that
    stops the folder; the property tests look for that reason to find such defects.
    """

    def safe(path: Path, ctx: FormatContext) -> list:
        try:
            return read(path, ctx)
        except DataError:
            raise
        except Exception as exc:
            raise DataError(
                f"could not read this {name} (internal error {type(exc).__name__}: {exc}); "
                "please report it with the file",
                file=ctx.label,
            ) from exc

    safe.__doc__ = read.__doc__
    return safe


def register_app(
    name: str,
    sniff: Callable[[Head], bool],
    read: Callable[[Path, FormatContext], list[Parsed]],
    evidence: str,
) -> FileFormat:
    """Register an app's CSV export: a training log, ``.csv`` or ``.txt``, read
    :func:`guarded`."""
    return register(FileFormat(name, "log", (".csv", ".txt"), sniff, guarded(name, read), evidence))


def find_column(
    columns: Iterable[str], *names: str, prefix: str | None = None, units: bool = True
) -> str | None:
    """The first column named one of ``names`` or starting with ``prefix`` (case-blind).

    ``units=False``: a column whose name holds ``unit`` never matches by ``prefix``
    (FitNotes' ``Weight Unit`` is not its ``Weight``).
    """
    for c in columns:
        k = c.casefold()
        if k in names or (prefix and k.startswith(prefix) and (units or "unit" not in k)):
            return c
    return None


# ------------------------------------------------------------------ flags

#: set-type words of the apps -> the flag written in ``notes``
SET_TYPES = {
    "w": "warm-up set",
    "warmup": "warm-up set",
    "warm up": "warm-up set",
    "warm-up": "warm-up set",
    "d": "drop set",
    "dropset": "drop set",
    "drop set": "drop set",
    "drop": "drop set",
    "f": "failure set",
    "failure": "failure set",
    "failed": "failure set",
}


def set_flags(kind: pd.Series, plain: Callable[[str], bool], what: str) -> pd.Series:
    """Each set's flag for ``notes`` from its set-type word (lower case, stripped).

    A warm-up, drop or failure word gives its flag (:data:`SET_TYPES`), a plain set's word
    (``plain(word)``) none, any other word is named: ``set order 'x'`` (``what`` first).
    """
    return per_distinct(
        kind, lambda s: SET_TYPES.get(s, None if plain(s) else f"{what} {s!r}"), "string"
    )


def flag_counts(flag: pd.Series) -> dict[str, int]:
    """How many warm-up, drop and failure sets were kept and flagged, for the note."""
    return {
        f"{{n}} {word} set{{s}} kept and flagged": int((flag == f"{word} set").sum())
        for word in ("warm-up", "drop", "failure")
    }


def join_notes(*parts: pd.Series) -> pd.Series:
    """Note parts joined with ``; `` (empty parts skipped), ``NA`` when all are empty."""
    out = None
    for p in parts:
        p = p.astype("string")
        if out is None:
            out = p
            continue
        both = out.notna() & p.notna()
        out = out.where(~both, out + "; " + p).fillna(p)
    return out


# ------------------------------------------------------------------ one row per set


@dataclass(frozen=True)
class SetCells:
    """Where a one-row-per-set export keeps each value: its header names (None: absent).

    ``weight_unit`` and ``distance_unit`` are the file's unit words, used where no
    per-row unit column (``weight_unit_column``, ``distance_unit_column``) is named.
    """

    date: str
    exercise: str
    reps: str | None = None
    weight: str | None = None
    weight_unit: str = "kg"
    weight_unit_column: str | None = None
    distance: str | None = None
    distance_unit: str = "m"
    distance_unit_column: str | None = None
    seconds: str | None = None
    rpe: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class SetColumns:
    """A one-row-per-set export's raw columns, and each set's RPE (for the session)."""

    columns: dict[str, pd.Series]
    set_rpe: pd.Series | None


def set_columns(d: pd.DataFrame, cells: SetCells, *, flag: pd.Series | None = None) -> SetColumns:
    """The raw log columns of a one-row-per-set export (``sets`` is 1 on every row).

    Parameters
    ----------
    d
        The export's rows (stripped text by header name, NA when empty).
    cells
        Which header holds each value, and the file's units.
    flag
        Each set's warm-up, drop or failure flag (:func:`set_flags`): it leads the notes,
        then the set's RPE (``RPE 8``), then the app's note.

    Returns
    -------
    SetColumns
        ``date, exercise, sets, reps, load, distance, duration, notes`` as text, and each
        set's RPE as a number (None when the export has no RPE column). A timed or
        distance set writes 0 reps: the reps are not used, not zero, and are left empty.
    """
    na = pd.Series(pd.NA, index=d.index, dtype="string")

    def col(name: str | None) -> pd.Series:
        return d[name] if name else na

    def unit(column: str | None, word: str) -> pd.Series | str:
        return d[column] if column else word

    load = weights(d[cells.weight], unit(cells.weight_unit_column, cells.weight_unit)) \
        if cells.weight else na  # fmt: skip
    dist = metres(d[cells.distance], unit(cells.distance_unit_column, cells.distance_unit)) \
        if cells.distance else na  # fmt: skip
    dur = seconds(d[cells.seconds]) if cells.seconds else na
    reps = col(cells.reps)
    reps = reps.mask(numbers(reps).fillna(-1).eq(0) & (dist.notna() | dur.notna()))
    set_rpe = numbers(d[cells.rpe]) if cells.rpe else None
    rpe_note = ("RPE " + d[cells.rpe]).where(set_rpe.notna()) if cells.rpe else None
    parts = [p for p in (flag, rpe_note, d[cells.notes] if cells.notes else None) if p is not None]
    columns = {
        "date": app_dates(d[cells.date]),
        "exercise": d[cells.exercise],
        "sets": pd.Series("1", index=d.index, dtype="string"),
        "reps": reps,
        "load": load,
        "distance": dist,
        "duration": dur,
        "notes": join_notes(*parts) if parts else na,
    }
    return SetColumns(columns, set_rpe)


@dataclass(frozen=True)
class SetRows:
    """A product reader's rows before they become a :class:`Parsed` (one per set)."""

    rows: np.ndarray  # source row of each set
    columns: dict[str, pd.Series]  # raw text columns named as the cleaner reads them
    workout: pd.Series | None = None  # a key per workout: session values on its first set
    session_min: pd.Series | None = None  # minutes per row (Float64)
    set_rpe: pd.Series | None = None  # each set's RPE (Float64), averaged per workout
    not_data: list[tuple[int, int, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # what was set aside, for the note


def session_columns(sr: SetRows) -> dict[str, pd.Series]:
    """``session_min`` and ``rpe`` on each workout's first set row, empty elsewhere."""
    n = len(sr.rows)
    out: dict[str, pd.Series] = {}
    if sr.workout is None or n == 0:
        return out
    first = ~pd.Series(sr.workout.to_numpy(), dtype="string").fillna("").duplicated().to_numpy()
    if sr.session_min is not None and sr.session_min.notna().any():
        mins = pd.Series(sr.session_min.to_numpy(), dtype="Float64").round(2)
        mins = mins.where(mins > 0)  # a workout logged after the fact has no length
        out["session_min"] = fmt_number(mins.where(first, pd.NA))
    if sr.set_rpe is not None and sr.set_rpe.notna().any():
        key = pd.Series(sr.workout.to_numpy(), dtype="string").fillna("")
        rpe = pd.Series(sr.set_rpe.to_numpy(), dtype="Float64")
        mean = rpe.groupby(key.to_numpy()).transform("mean").round(1)
        out["rpe"] = fmt_number(mean.where(first, pd.NA))
    return out


def _note(ctx: FormatContext, sr: SetRows, describe: str, found: bool) -> str:
    """The layout's note: what the file is, what was set aside, and a missing athlete."""
    bits = [describe]
    aside = [plural(k, v) for k, v in sr.counts.items() if v]
    if aside:
        bits.append("; ".join(aside))
    if not found:
        bits.append(
            "no athlete found in the folder or file name or hipflex.toml: every row is "
            "rejected (put the file in a folder named for the athlete, e.g. "
            f"logs/<name>/{Path(ctx.label).name})"
        )
    return ": ".join(bits[:2]) + ("; " + "; ".join(bits[2:]) if len(bits) > 2 else "")


def one_row_per_set(
    ctx: FormatContext,
    fmt_name: str,
    sr: SetRows,
    shape: TableShape,
    *,
    roles: dict[str | None, str],
    describe: str,
    units: dict[str, str] | None = None,
) -> list[Parsed]:
    """The :class:`Parsed` log of an app export: athlete, set and session columns, layout.

    Parameters
    ----------
    ctx
        The file's context: its label (every ``source``) and where its athlete is named.
    fmt_name
        The format's name (the layout's ``format``).
    sr
        The reader's rows: a row per set (per packed entry for JEFIT), with the workout
        key, length and RPE that become the session columns.
    shape
        Where the table stands in the file (header row, header, last line, ragged rows).
    roles
        Each header's role (a None key, a column the file lacks, is passed over; a header
        not named is ``ignored``).
    describe
        What the file is, first in the layout's note (what was set aside follows).
    units
        The units the file says (``{"weight": "lb"}``); empty ones are left out.

    Returns
    -------
    list of Parsed
        One log table: ``athlete`` (the athlete from the path, or :data:`NO_ATHLETE`
        when none is found, so that every row is rejected saying why), the reader's
        columns, ``session_min`` and ``rpe`` on each workout's first row, ``source``,
        ``source_row``; the not-data rows sorted.
    """
    n = len(sr.rows)
    found = ctx.athlete_from_path()
    if found is None:
        athlete = NO_ATHLETE.format(file=ctx.label, name=Path(ctx.label).name)
    else:
        athlete = found[0]
    frame = pd.DataFrame({"athlete": pd.Series([athlete] * n, dtype="string")})
    for col, values in {**sr.columns, **session_columns(sr)}.items():
        frame[col] = pd.Series(values.to_numpy(), dtype="string")
    frame["source"] = pd.Series([ctx.label] * n, dtype="string")
    frame["source_row"] = pd.array(sr.rows, dtype="Int64")
    lay = Layout(
        ctx.label,
        kind="table",
        header_row=shape.header_row,
        columns={h: roles.get(h, "ignored") for h in shape.header},
        athlete=found[0] if found else None,
        athlete_from=found[1] if found else "column",
        units={k: v for k, v in (units or {}).items() if v},
        reason=_note(ctx, sr, describe, found is not None),
        format=fmt_name,
        table="log",
    )
    return [Parsed(lay, frame, not_data=sorted(sr.not_data), ragged=list(shape.ragged),
                   rows_total=shape.rows_total)]  # fmt: skip


def plural(template: str, n: int) -> str:
    """``"{n} rest-timer row{s} {are} not sets"`` with ``n`` filled in, singular or plural."""
    one = n == 1
    return template.format(
        n=n, s="" if one else "s", are="is" if one else "are", a="a " if one else ""
    )


__all__ = ["NO_ATHLETE", "SET_TYPES", "SetCells", "SetColumns", "SetRows", "find_column",
           "flag_counts", "guarded", "join_notes", "one_row_per_set", "plural", "register_app",
           "session_columns", "set_columns", "set_flags"]  # fmt: skip
