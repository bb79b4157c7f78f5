"""What the timing and meet-software readers share (FinishLynx, Hy-Tek Meet Manager).

Not a product module (its name starts with ``_``, so the registry does not import it as
one): the text of a file as the product writes it, the meet and date a file's folder or
name carries, and the split of a heat's rows into the roster's athletes (handed to the
sprint cleaner) and the others (not data, "not in the roster", counted and listed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import config
from ...errors import DataError
from ..layout import find_date
from . import NOT_IN_ROSTER, FormatContext

#: The raw result columns a timing reader fills (:func:`analysis.clean_sprints` reads them).
RESULT_COLUMNS = ("athlete", "date", "event", "final", "wind", "reaction", "meet", "round",
                  "timing", "splits", "notes")  # fmt: skip

_STATUS = {"DNF": "DNF", "DNS": "DNS", "DQ": "DQ", "DSQ": "DQ", "DISQ": "DQ"}
#: codes meet software prints in a time or place cell, with what they become
STATUS_CODES: dict[str, tuple[str, str | None]] = {
    **{k: (v, None) for k, v in _STATUS.items()},
    "SCR": ("DNS", "scratched (SCR)"),
    "FS": ("DQ", "false start (FS)"),
}


def lines_of(text: str) -> list[str]:
    """The lines of a file (CRLF, LF or CR), without their ends; no empty last line.

    Only those three end a line (a form feed between pages, ``\f``, does not: it is
    blank space on its line, as a text editor counts lines).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass
class MeetInfo:
    """The meet and date a file's races belong to, and where each came from."""

    meet: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    meet_from: str | None = None
    date_from: str | None = None

    def note(self) -> str:
        bits = []
        if self.meet:
            bits.append(f"meet {self.meet!r} from the {self.meet_from}")
        if self.date:
            bits.append(f"date {self.date} from the {self.date_from}")
        else:
            bits.append("no meet date in the folder name, the file name or hipflex.toml "
                        "(add date = \"yyyy-mm-dd\" under [files.\"...\"])")  # fmt: skip
        return "; ".join(bits)


_WORD_DATE = re.compile(  # "13 June 2026", "June 13, 2026", "13th Jun 2026"
    r"(?<![\w])(\d{1,2}(?:st|nd|rd|th)?\.?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|"
    r"[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})(?!\d)"
)
_DATE_IN_NAME = re.compile(
    r"(?<!\d)(\d{4}[-_.]\d{1,2}[-_.]\d{1,2}|\d{1,2}[-_.]\d{1,2}[-_.]\d{4})(?!\d)"
)


def meet_from_path(ctx: FormatContext) -> MeetInfo:
    """Meet and date from ``hipflex.toml`` (``meet``, ``date``), else from the nearest folder
    or file name that holds a date (``results/2026-06-13 Harbour City Open/012-1-01.lif``).

    The meet is what remains of that name once the date is taken out; a name without a
    date gives no meet (a file name like ``012-1-01`` names a heat, not a meet).
    """
    info = MeetInfo()
    hints = ctx.hints
    if getattr(hints, "meet", None):
        info.meet, info.meet_from = str(hints.meet), "hipflex.toml"
    if getattr(hints, "date", None):
        day = find_date(str(hints.date), dayfirst=ctx.dayfirst)
        if day is not None and day.year:
            info.date, info.date_from = day.text(), "hipflex.toml"
    for text, where in ctx.path_names():
        if info.date and info.meet:
            break
        m = _DATE_IN_NAME.search(text) or _WORD_DATE.search(text)
        if not m:
            continue
        day = find_date(m.group(1).replace("_", "-"), dayfirst=ctx.dayfirst)
        if day is None or not day.year:
            continue
        if info.date is None:
            info.date, info.date_from = day.text(), where
        if info.meet is None:
            rest = (text[: m.start()] + " " + text[m.end() :]).replace("_", " ")
            rest = " ".join(rest.split()).strip(" -–,.")
            if re.search(r"[A-Za-z]{3,}", rest):
                info.meet, info.meet_from = rest, where
        break
    return info


@dataclass
class HeatRows:
    """Result rows of one file as a reader collects them, before the roster split."""

    records: list[dict] = field(default_factory=list)  # RESULT_COLUMNS + source_row
    not_data: list[tuple[int, int, str]] = field(default_factory=list)
    others: int = 0  # rows of athletes not in the roster

    def add(self, row: int, athlete: str | None, affiliation: str | None, ctx: FormatContext,
            **cells: str | None) -> None:  # fmt: skip
        """One result line: handed on when its athlete is in the roster, else not data."""
        if athlete is None or not athlete.strip():
            self.not_data.append((row, 1, "result line without an athlete's name"))
            return
        name = " ".join(athlete.split())
        if not _in_roster(name, ctx):
            self.others += 1
            club = (
                f" ({' '.join(affiliation.split())})" if affiliation and affiliation.strip() else ""
            )
            self.not_data.append((row, 1, f"{NOT_IN_ROSTER}: {name}{club}"))
            return
        rec = {c: cells.get(c) for c in RESULT_COLUMNS}
        rec["athlete"] = name
        rec["source_row"] = row
        self.records.append(rec)

    def frame(self, label: str) -> pd.DataFrame:
        cols = [*RESULT_COLUMNS, "source", "source_row"]
        if not self.records:
            return pd.DataFrame({c: pd.Series(dtype="string") for c in cols[:-1]}
                                | {"source_row": pd.Series(dtype="Int64")})  # fmt: skip
        # text columns are not made ``string`` here: the folder's result frames are
        # stacked and made ``string`` once (analysis.folder_tables), not once per heat
        # file; a frame from columns, not records then casts (0.2 against 1.0 ms a file)
        recs = self.records
        data: dict[str, object] = {c: [r[c] for r in recs] for c in RESULT_COLUMNS}
        data["source"] = [label] * len(recs)
        data["source_row"] = pd.array([r["source_row"] for r in recs], dtype="Int64")
        return pd.DataFrame(data)


def _in_roster(name: str, ctx: FormatContext) -> bool:
    try:
        if ctx.is_athlete(name):
            return True
        if "," in name:  # "Okafor, Ada" -> "Ada Okafor"
            last, _, first = name.partition(",")
            return bool(first.strip()) and ctx.is_athlete(f"{first.strip()} {last.strip()}")
    except Exception:  # a roster lookup never stops a file
        return False
    return False


_DISTANCE = re.compile(r"(?<![\d.x×])(\d{2,5})\s*(?:m|meters?|metres?|meter)\b", re.I)
_NOT_FLAT = re.compile(
    r"\b(?:hurdles?|steeple\w*|relays?|walk|jump|vault|put|throw|discus|javelin|hammer|shot|"
    r"pentathlon|heptathlon|decathlon|miles?|cross country|xc|road)\b|\d\s*[x×]\s*\d",
    re.I,
)

#: the words before the colon of the not-data reason of another event's lines
OTHER_EVENT = "other event (hipflex reads flat 200 m and 400 m races)"


def other_event(name: str | None, distance: str | None = None) -> str | None:
    """The not-data reason for the lines of an event hipflex does not analyse, else None.

    A meet's files hold every event; a 100 m heat, a hurdles race, a relay or a jump is set
    aside with its name (``other event (...): Women 100m Heats``), not rejected line by
    line. An event whose name says nothing readable is handed on (the cleaner rejects it,
    so it is seen).
    """
    text = " ".join(str(name or "").split())
    found = {int(d) for d in _DISTANCE.findall(text)}
    if not found and distance and re.fullmatch(r"\d{2,5}(?:\.0+)?", distance.strip()):
        found = {int(float(distance))}
    if _NOT_FLAT.search(text) or (found and not (found & set(config.EVENTS_M))):
        return f"{OTHER_EVENT}: {text or distance}"
    return None


def status_of(cell: str | None) -> tuple[str, str | None] | None:
    """``("DNF", None)``, ``("DNS", "scratched (SCR)")`` … for a status code, else None."""
    if cell is None:
        return None
    key = cell.strip().upper().rstrip(".")
    return STATUS_CODES.get(key)


def blank_runs(lines: list[str], used: set[int]) -> list[tuple[int, int, str]]:
    """``(first row, n, "blank row(s)")`` for each run of blank lines not otherwise listed."""
    out: list[tuple[int, int, str]] = []
    start = None
    for i, line in enumerate(lines, start=1):
        blank = not line.strip() and i not in used
        if blank and start is None:
            start = i
        elif not blank and start is not None:
            n = i - start
            out.append((start, n, "blank row" if n == 1 else "blank rows"))
            start = None
    if start is not None:
        n = len(lines) + 1 - start
        out.append((start, n, "blank row" if n == 1 else "blank rows"))
    return out


def read_bytes(path: Path, label: str, what: str, limit: int) -> bytes:
    """A timing file's bytes (heats and reports are small): one-line errors, never OSError."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise DataError(f"{what} file larger than {limit // 1_000_000} MB", file=label)
        return path.read_bytes()
    except OSError as exc:
        raise DataError(
            f"cannot be read ({exc.strerror or type(exc).__name__})", file=label
        ) from None
