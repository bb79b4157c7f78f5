"""FinishLynx result files (``.lif``) and event files (``.evt``).

FinishLynx (Lynx System Developers) writes one ``.lif`` per heat once the photo is read:
headerless comma-separated text, Windows-1252, CRLF. Its first line is the heat's
*event line*; every other line is one competitor's result::

    event no, round no, heat no, event name, wind, wind unit, template, capture time,
        capture duration, distance, start time
    place, ID, lane, last name, first name, affiliation, time, license, delta time,
        ReacTime, splits, time trial start time, user 1, user 2, user 3, ...

The meet's ``lynx.evt`` uses the same event lines, each followed by its competitors on
lines that begin with a comma (no place: a start list; some meet software fills the time
and reaction fields too). Lines beginning with ``;`` are comments.

Neither file names the meet or its date: they come from the folder or file name
(``results/2026-06-13 Harbour City Open/012-1-01.lif``) or ``hipflex.toml`` (``meet``,
``date``). Only the roster's athletes are handed to the sprint cleaner; every other
competitor of the heat is a not-data row "not in the roster: name (club)". A relay heat
is set aside (a team's time, not one athlete's). A place or time written ``DNF``,
``DNS``, ``DQ`` gives that status; ``SCR`` (scratched) is ``DNS``. Times are photo-finish
times (``timing`` FAT); the ReacTime field is the reaction time; the splits field is read
as cumulative times at equal intervals (the cleaner's ``splits``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..layout import Layout, Parsed
from . import FileFormat, FormatContext, Head, register
from ._text import decode
from ._timing import (
    HeatRows,
    MeetInfo,
    blank_runs,
    lines_of,
    meet_from_path,
    other_event,
    read_bytes,
    status_of,
)

EVIDENCE = (
    "FinishLynx online manual, 'Database Files' (help.finishlynx.com/Content/OnlineManual/"
    "DatabaseFiles.htm): lynx.evt event line 'Event number, round number, heat number, event "
    "name, <wind>, <wind unit>, template, capture time, capture duration, distance, <start "
    "time>' and competitor line 'ID, lane, last name, first name, affiliation, <time>, license,"
    " <delta time>, <ReacTime>, <splits>, ...'; FinishLynx tech note 'Database software' "
    "(finishlynx.com/support/technotes/database_software.htm: one .lif per race); "
    "github.com/basrijn/regatta_data README ('FinishLynx results format (.LIF)': header line "
    "and 'Place, ID, lane, last name, first name, affiliation, <time>, license, <delta time>, "
    "<ReacTime>, <splits>, ...'); a published .lif and its lynx.evt in the SELTEC wiki "
    "(wiki.seltec-sports.net, 'taf_zeimessung_lifrename': '1000007,1000007,1,60m Hürden "
    "Zeitläufe MJB,,,,,,,' then '1,449,4,Hommer,Nico,TuS Montabaur,8.92,,8.92,,,,,,')"
)

MAX_BYTES = 20_000_000  # a heat is a few hundred bytes; a meet's lynx.evt a few hundred kB

_RELAY = re.compile(r"relay|staffel|relais|\b\d\s*[x×]\s*\d{2,4}", re.I)
_ROUND_WORD = re.compile(
    r"\b(final|finals|a final|b final|semi[- ]?finals?|semis?|heats?|prelims?|preliminar(?:y|ies)|"
    r"quarter[- ]?finals?|round\s*\d+|vorlauf|zeitl[äa]ufe|endlauf|finale)\b",
    re.I,
)
_DIST = re.compile(r"(?<![\d.])(\d{2,5})\s*(?:m|meters?|metres?|meter)\b", re.I)
_TIMEISH = re.compile(r"^\d{1,2}(?::\d{1,2}){0,2}(?:[.,]\d+)?$")


def _fields(line: str) -> list[str]:
    try:
        row = next(csv.reader([line], skipinitialspace=False))
    except (csv.Error, StopIteration):
        row = line.split(",")
    return [f.strip() for f in row]


def _is_event_line(fields: list[str]) -> bool:
    return len(fields) >= 4 and fields[0].isdigit() and bool(fields[3]) and (
        fields[1] == "" or fields[1].isdigit()
    ) and (fields[2] == "" or fields[2].isdigit())  # fmt: skip


def _first_lines(head: Head, n: int = 6) -> list[str]:
    return [ln for ln in head.lines(40) if ln.strip() and not ln.lstrip().startswith(";")][:n]


def _sniff_lif(head: Head) -> bool:
    lines = _first_lines(head)
    if not lines or not _is_event_line(_fields(lines[0])):
        return False
    rest = [_fields(ln) for ln in lines[1:]]
    # result lines have at least place, ID, lane, last name, first name (a heat with no
    # result line yet is claimed too; a malformed line is listed, not a reason to refuse)
    return not rest or any(len(f) >= 5 for f in rest)


def _sniff_evt(head: Head) -> bool:
    lines = _first_lines(head)
    if not lines or not _is_event_line(_fields(lines[0])):
        return False
    for ln in lines[1:]:
        f = _fields(ln)
        if not (_is_event_line(f) or (ln[:1] in (",", " ", "\t") and len(f) >= 3)):
            return False
    return True


def _event_text(name: str, distance: str) -> str:
    """The event as the sprint cleaner reads it: the name when it states a distance."""
    if _DIST.search(name):
        return name
    d = distance.strip()
    if re.fullmatch(r"\d{2,5}(?:\.0+)?", d):
        return f"{d.split('.')[0]} m {name}".strip()
    return name


def _round_text(name: str, rnd: str, heat: str) -> str | None:
    m = _ROUND_WORD.search(name)
    if m and re.fullmatch(r"heats?", m.group(1), re.I):  # "Women 400m Heat", heat 2
        return f"heat {heat}" if heat and heat != "0" else "heat"
    word = m.group(1) if m else (f"round {rnd}" if rnd else None)
    if heat and heat != "0" and not (m and re.match(r"(a |b )?final", m.group(1), re.I)):
        return f"{word}, heat {heat}" if word else f"heat {heat}"
    return word


@dataclass(frozen=True)
class _Event:
    """An event line: the race its result lines belong to, or why they are set aside."""

    name: str
    event: str
    round: str | None
    wind: str | None
    aside: str | None  # a relay's or another event's not-data reason


def _event_of(f: list[str]) -> _Event:
    f = f + [""] * (11 - len(f))
    name = f[3]
    aside = (f"relay (a team's time, not one athlete's): {name}" if _RELAY.search(name)
             else other_event(name, f[9]))  # fmt: skip
    return _Event(name, _event_text(name, f[9]), _round_text(name, f[1], f[2]), f[4] or None, aside)


def _result(i: int, f: list[str], ev: _Event | None, meet: MeetInfo, rows: HeatRows,
            ctx: FormatContext) -> None:  # fmt: skip
    """One competitor's line: a result handed on, or not data with why."""
    if len(f) < 5:
        rows.not_data.append((i, 1, "line with fewer than 5 fields (not a result line)"))
        return
    f = f + [""] * (11 - len(f))
    place, last, first, club, time = f[0], f[3], f[4], f[5], f[6]
    if ev is not None and ev.aside is not None:
        rows.not_data.append((i, 1, ev.aside))
        return
    name = " ".join(p for p in (first, last) if p) or None
    status = status_of(time) or status_of(place)
    final, note = (status[0], status[1]) if status else (time or None, None)
    if final is None:
        if not name:
            rows.not_data.append((i, 1, "line without a name, a time or a status"))
        elif _in_roster_or_listed(rows, i, name, club, ctx):
            rows.not_data.append((i, 1, "start-list entry (no time or status)"))
        return
    split = f[10] if f[10] and all(_TIMEISH.match(p) for p in re.split(r"[ /;|]+", f[10])) else None
    rows.add(
        i, name, club, ctx, date=meet.date, event=ev and ev.event, final=final,
        wind=ev and ev.wind, reaction=f[9] or None, meet=meet.meet, round=ev and ev.round,
        timing="FAT", splits=split, notes=note,
    )  # fmt: skip


def _read(path: Path, ctx: FormatContext, *, fmt_name: str, evt: bool) -> list[Parsed]:
    data = read_bytes(path, ctx.label, fmt_name, MAX_BYTES)
    lines = lines_of(decode(data))
    meet = meet_from_path(ctx)
    rows = HeatRows()
    used: set[int] = set()
    ev: _Event | None = None
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        used.add(i)
        if line.lstrip().startswith(";"):
            rows.not_data.append((i, 1, "comment line"))
            continue
        f = _fields(line)
        # a .lif holds one event line, its first; a .evt one per event (competitors' lines
        # begin with a comma, a space or a tab)
        if _is_event_line(f) and (line[:1].isdigit() if evt else ev is None):
            ev = _event_of(f)
            rows.not_data.append((i, 1, f"event line: {ev.name}"))
            continue
        _result(i, f, ev, meet, rows, ctx)
    rows.not_data.extend(blank_runs(lines, used))
    rows.not_data.sort()
    return [_parsed(ctx, fmt_name, rows, meet, len(lines))]


def _in_roster_or_listed(rows: HeatRows, i: int, name: str, club: str, ctx: FormatContext) -> bool:
    """True for a roster athlete; another club's athlete is listed as not in the roster."""
    probe = HeatRows()
    probe.add(i, name, club, ctx)
    if probe.records:
        return True
    rows.others += probe.others
    rows.not_data.extend(probe.not_data)
    return False


def _parsed(ctx: FormatContext, fmt_name: str, rows: HeatRows, meet: MeetInfo, n_lines: int
            ) -> Parsed:  # fmt: skip
    frame = rows.frame(ctx.label)
    note = meet.note()
    if rows.others:
        note += f"; {rows.others} result line(s) of athletes not in the roster (listed as not data)"
    lay = Layout(ctx.label, kind="table", header_row=None, format=fmt_name, table="results",
                 columns={"place, ID, lane, last name, first name, affiliation": "athlete",
                          "time": "final", "ReacTime": "reaction", "splits": "splits",
                          "event line": "event, round, wind"},
                 reason=note)  # fmt: skip
    return Parsed(lay, frame, not_data=rows.not_data, rows_total=n_lines)


def read_lif(path: Path, ctx: FormatContext) -> list[Parsed]:
    """A FinishLynx ``.lif``: one heat's results (see the module's docstring)."""
    return _read(path, ctx, fmt_name=LIF.name, evt=False)


def read_evt(path: Path, ctx: FormatContext) -> list[Parsed]:
    """A FinishLynx ``lynx.evt``: event lines and competitors, results where filled in."""
    return _read(path, ctx, fmt_name=EVT.name, evt=True)


LIF = register(FileFormat(
    name="FinishLynx results (.lif)", table="results", suffixes=(".lif",), sniff=_sniff_lif,
    read=read_lif, evidence=EVIDENCE,
))  # fmt: skip
EVT = register(FileFormat(
    name="FinishLynx event file (.evt)", table="results", suffixes=(".evt",), sniff=_sniff_evt,
    read=read_evt, evidence=EVIDENCE,
))  # fmt: skip
