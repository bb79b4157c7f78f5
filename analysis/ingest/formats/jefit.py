"""JEFIT backup / "My Data" export: sections of CSV, sets packed in one cell.

Layout read::

    ### SETTING ##########################
    row_id,USERID,TIMESTAMP,...,mass,...
    1,1,"2026-01-01 00:00:00",...," kg",...
    ######################################

    ### WORKOUT SESSIONS ###
    _id,mydate,starttime,starttimie,total_time,...
    7,2026-03-02,1772471400,,3720,...
    ###########################

    ### EXERCISE LOGS ###
    USERID,TIMESTAMP,belongSys,logs,_id,record,mydate,eid,ename,belongsession,logTime,...
    1,"2026-03-02 00:00:00",1,"60x10,65x8,65x8",1,86.67,2026-03-02,21,"Hanging Leg Raise",7,...

Each ``EXERCISE LOGS`` row is one entry whose sets are packed ``weightxreps``; its reps
per set are kept exactly (``10,8,8``: 3 sets, 26 reps) and its load is the rep-weighted
mean of the sets' weights, so that ``hf_load_kg`` (reps × load) is exact; each set is
written in the entry's notes. The weight unit is the ``SETTING`` section's ``mass``
(``kg``/``lbs``; kg when the file does not say). The session's length is its
``WORKOUT SESSIONS`` row's ``total_time`` (seconds), joined by ``belongsession``; the
day is ``mydate`` (or the session's ``starttime``, unix seconds). Every other section
(settings, body measurements, routines) is listed as not data. A file with a single
header naming ``ename`` and ``logs`` (no sections) is read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import DataError
from ..layout import Parsed
from . import FormatContext, Head
from ._app_dates import app_dates
from ._apps import SetRows, one_row_per_set, register_app
from ._csv import Records, TableShape, read_records, table
from ._text import head_cells
from ._units import WEIGHT_UNITS, numbers, per_distinct, unit_word

NAME = "JEFIT export"
EVIDENCE = (
    "JEFIT's sectioned backup as public importers parse it: the '### EXERCISE LOGS ###' "
    "section with USERID,TIMESTAMP,belongSys,logs,_id,record,mydate,eid,ename,day_item_id,"
    "belongsession,logTime and sets packed '60x10,65x8,65x8'; '### WORKOUT SESSIONS ###' "
    "with _id,mydate,starttime,starttimie,total_time; the SETTING section's mass column "
    "(' kg'/' lbs') (openweight converters README and jefit.ts, a Kotlin JefitCsvParser, "
    "a Python JefitImportService test fixture)"
)

_BANNER = re.compile(r"^#{2,}\s*([A-Za-z][A-Za-z0-9 &/_-]*?)\s*#*\s*$")
_SET = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*[x×X*]\s*(\d+)\s*$")


def sniff(head: Head) -> bool:
    """A ``### EXERCISE LOGS ###`` banner, or a header naming ``ename`` and ``logs``."""
    lines = head.lines(4000)
    if any(_BANNER.match(ln.strip()) and "exercise logs" in ln.casefold() for ln in lines):
        return True
    cells = head_cells(head)
    return "ename" in cells and "logs" in cells


def unpack(cell: str) -> tuple[str, float | None, str] | None:
    """``"60x10,65x8,65x8"`` -> (``"10,8,8"``, rep-weighted mean weight, sets text); None
    when a set is not ``weightxreps``."""
    parts = [p for p in cell.split(",") if p.strip()]
    sets = [_SET.match(p) for p in parts]
    if not parts or not all(sets):
        return None
    w = [float(m.group(1).replace(",", ".")) for m in sets]
    r = [int(m.group(2)) for m in sets]
    total = sum(r)
    mean = sum(a * b for a, b in zip(w, r, strict=True)) / total if total else None
    sets_text = ", ".join(f"{a:g}x{b}" for a, b in zip(w, r, strict=True))
    return ",".join(map(str, r)), mean, sets_text


_LOGS = "EXERCISE LOGS"
#: what the other sections hold, for their not-data reason
_SECTION_WORDS = {
    "SETTING": "settings",
    "WORKOUT SESSIONS": "workout sessions (read for the session's length)",
    "PROFILE": "body measurements",
}


@dataclass(frozen=True)
class _Sections:
    """A JEFIT file's records by section (banner name), and its lines that are not data."""

    records: dict[str, list[tuple[int, list[str]]]]
    not_data: list[tuple[int, int, str]]


def _sections_of(rec: Records) -> _Sections:
    """The records of each ``### NAME ###`` section; banners, section ends, blank lines and
    lines outside any section are not data. A file without banners is one logs table."""
    not_data: list[tuple[int, int, str]] = []
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = _LOGS
    if any(_BANNER.match(",".join(f).strip()) for _, f in rec.rows[:4000]):
        current = None
    for r, fields in rec.rows:
        line = ",".join(fields).strip()
        if not line.strip(", "):
            not_data.append((r, 1, "blank row"))
            continue
        m = _BANNER.match(line) if len(fields) == 1 else None
        if m:
            current = m.group(1).strip().upper()
            not_data.append((r, 1, f"section banner ({current})"))
            continue
        if len(fields) == 1 and set(line) == {"#"}:
            current = None
            not_data.append((r, 1, "section end"))
            continue
        if current is None:
            not_data.append((r, 1, "outside any section"))
            continue
        sections.setdefault(current, []).append((r, fields))
    not_data += rec.line_gaps()
    for name, rows in sections.items():
        if name != _LOGS:
            what = _SECTION_WORDS.get(name, name.lower())
            not_data += [(r, 1, f"{name} section: {what}") for r, _ in rows]
    return _Sections(sections, not_data)


@dataclass(frozen=True)
class _SectionTable:
    """One section as a table: its header row (None: the file has no such section)."""

    header_row: int | None
    header: list[str]
    frame: pd.DataFrame
    rows: np.ndarray  # the line of each record under the header


def _section_table(sections: _Sections, name: str) -> _SectionTable:
    """Section ``name``: its first record is its header."""
    rows = sections.records.get(name, [])
    if not rows:
        return _SectionTable(None, [], pd.DataFrame(), np.zeros(0, dtype=np.int64))
    head = [h.strip() for h in rows[0][1]]
    return _SectionTable(rows[0][0], head, table(rows[1:], head),
                        np.array([r for r, _ in rows[1:]], dtype=np.int64))  # fmt: skip


@dataclass(frozen=True)
class _WeightUnit:
    """The unit of the packed weights and where it was found."""

    unit: str
    found: str


def _weight_unit(sections: _Sections, ctx: FormatContext) -> _WeightUnit:
    """``hipflex.toml``'s unit for ``logs``, else the SETTING section's ``mass``, else kg."""
    unit = "kg"
    setting = _section_table(sections, "SETTING").frame
    mass = next((c for c in setting.columns if c.casefold() == "mass"), None)
    if mass is not None and len(setting) and pd.notna(setting[mass].iloc[0]):
        unit = WEIGHT_UNITS.get(unit_word(setting[mass].iloc[0]), "kg")
    unit_from = "from the SETTING section" if mass is not None else "the file does not say"
    hinted = {k.casefold(): v for k, v in ctx.hints.units.items()}.get("logs")
    if hinted:
        return _WeightUnit(WEIGHT_UNITS.get(unit_word(hinted), "kg"), "from hipflex.toml")
    return _WeightUnit(unit, unit_from)


@dataclass(frozen=True)
class _PackedSets:
    """An entry's packed sets as the cleaner reads them."""

    prescription: pd.Series  # reps per set, "10,8,8" (an unreadable cell as written)
    load: pd.Series  # the rep-weighted mean weight with its unit
    notes: pd.Series  # "sets 60x10, 65x8 kg" when there is more than one set


def _packed_sets(logs: pd.Series, unit: str) -> _PackedSets:
    """:func:`unpack` of each distinct ``logs`` cell, as text columns."""
    packed = per_distinct(
        logs, lambda s: "\x1f".join(map(str, unpack(s) or ("", "", ""))), "string"
    ).fillna("\x1f\x1f")
    parts = (
        packed.str.split("\x1f", expand=True, regex=False)
        .reindex(columns=range(3))
        .astype("string")
    )
    ok = parts[0].fillna("") != ""
    reps = parts[0].where(ok, logs)  # an unreadable cell reaches the cleaner, which names it
    mean = pd.to_numeric(parts[1], errors="coerce")
    load = (
        pd.Series(mean.map(lambda v: format(v, ".10g") if pd.notna(v) else None), dtype="string")
        + " "
        + unit
    ).where(ok & mean.notna())
    notes = ("sets " + parts[2]).where(ok & parts[2].str.contains(","))
    notes = notes.where(~notes.notna(), notes + (f" {unit}" if unit else ""))
    return _PackedSets(reps, load, notes)


@dataclass(frozen=True)
class _Session:
    """Each entry's day, workout key and session length (minutes, None: not known)."""

    date: pd.Series
    workout: pd.Series
    minutes: pd.Series | None


def _session_of(d: pd.DataFrame, cols: dict[str, str], sessions: _SectionTable) -> _Session:
    """The entry's day (``mydate``, else its session's ``starttime``) and its session's
    ``total_time``, joined by ``belongsession``."""
    sess = sessions.frame
    scols = {c.casefold(): c for c in sess.columns}
    date = (
        d[cols["mydate"]] if "mydate" in cols else pd.Series(pd.NA, index=d.index, dtype="string")
    )
    mins = None
    workout = date.fillna("")
    if "belongsession" in cols and "_id" in scols:
        key = d[cols["belongsession"]]
        workout = key.fillna("") + "|" + date.fillna("")
        by_id = sess.drop_duplicates(scols["_id"]).set_index(scols["_id"])
        if "total_time" in scols:
            mins = numbers(key.map(by_id[scols["total_time"]]).astype("string")) / 60
        start = scols.get("starttime") or scols.get("starttimie")
        if start:
            date = date.fillna(key.map(by_id[start]).astype("string"))
    return _Session(date, workout, mins)


def read(path: Path, ctx: FormatContext) -> list[Parsed]:
    """One :class:`Parsed` log: an entry per exercise row, its packed sets kept exactly."""
    rec = read_records(path, ctx.label, sep=",")
    sections = _sections_of(rec)
    unit = _weight_unit(sections, ctx)
    logs = _section_table(sections, _LOGS)
    d = logs.frame
    cols = {c.casefold(): c for c in d.columns}
    if logs.header_row is None or "ename" not in cols or "logs" not in cols:
        raise DataError(
            "JEFIT export without an EXERCISE LOGS table (ename, logs)",
            file=ctx.label,
            row=logs.header_row,
        )
    packed = _packed_sets(d[cols["logs"]], unit.unit)
    session = _session_of(d, cols, _section_table(sections, "WORKOUT SESSIONS"))
    others = sum(len(v) for k, v in sections.records.items() if k != _LOGS)
    sr = SetRows(
        rows=logs.rows,
        columns={
            "date": app_dates(session.date),
            "exercise": d[cols["ename"]],
            "prescription": packed.prescription,
            "load": packed.load,
            "notes": packed.notes,
        },
        workout=session.workout,
        session_min=session.minutes,
        not_data=[*sections.not_data, (logs.header_row, 1, "header row (EXERCISE LOGS)")],
        counts={
            "{n} row{s} of other sections (settings, sessions, profile) {are} not "
            "training entries": others
        },
    )
    roles = {
        cols["ename"]: "exercise",
        cols["logs"]: f"sets packed weightxreps ({unit.unit})",
        cols.get("mydate"): "date",
        cols.get("belongsession"): "session (minutes)",
    }
    describe = (
        f"{NAME}, one entry per exercise with its sets packed "
        f"(weights in {unit.unit}: {unit.found})"
    )
    shape = TableShape(logs.header_row, logs.header, rec.last_line)
    return one_row_per_set(ctx, NAME, sr, shape, roles=roles, describe=describe,
                           units={"logs": unit.unit})  # fmt: skip


register_app(NAME, sniff, read, EVIDENCE)
