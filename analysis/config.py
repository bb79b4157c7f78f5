"""Project settings, with documented defaults.

Settings are plain module-level constants so notebooks and the CLI share them; functions
that depend on a setting also take it as a keyword argument, which wins over the default.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Mapping

#: Day/month order assumed for a file whose dates are all ambiguous (``03/04/2026``).
#: Coaches outside North America write day first, so that is the default.
DAYFIRST_DEFAULT: bool = True

#: The pre-specified primary window (days before race day) of the squad's answer: the
#: headline estimate uses it; other windows are a sensitivity analysis
#: (:func:`analysis.stats.window_scan`). Chosen before looking at the data, so the
#: headline is not the best-looking of many windows.
PRIMARY_WINDOW_DAYS: int = 28

#: Earliest date accepted in any log or result file.
EARLIEST_DATE = _dt.date(1950, 1, 1)

#: Events (metres) the fatigue analysis is about. Other events are reported as rejects.
EVENTS_M: tuple[int, ...] = (200, 400)

#: Pounds to kilograms.
LB_TO_KG: float = 0.45359237

#: Seconds added to a hand time to obtain its FAT equivalent, per event (metres).
#: The convention used by statisticians and ranking lists: +0.24 s for races of 200 m or
#: less, +0.14 s for the 400 m (a hand timer starts the watch late by a reaction time, and
#: at the 400 m start, nearer the finish line, by less). See :data:`HAND_TO_FAT_SOURCE`.
#: Change it per call (``load_dataset(..., hand_to_fat={200: 0.2})``), per command
#: (``hipflex clean DIR --hand-to-fat-200 0.2``) or for every command and notebook with
#: the environment variable :data:`HAND_TO_FAT_ENV`; see :func:`hand_to_fat`.
HAND_TO_FAT_S: dict[int, float] = {200: 0.24, 400: 0.14}

#: Where :data:`HAND_TO_FAT_S` comes from.
HAND_TO_FAT_SOURCE = (
    "Masters Track rankings, 'Hand Times vs Automatic Times: Explanation' "
    "(http://www.masterstrack.com/rankings_HvFAT.html): add .24 s to a hand time for any "
    "sprint of 200 m or less, .14 s for a 400 m hand time; the same factors are used by "
    "athletic.net and US state ranking lists (https://speedendurance.com/2014/08/20/"
    "why-0-24-seconds-is-added-to-hand-times/)."
)

#: Environment variable overriding :data:`HAND_TO_FAT_S`: ``200=0.24,400=0.14`` (any
#: event left out keeps its default). ``hipflex report --hand-to-fat-200 S`` sets it for
#: the report notebooks.
HAND_TO_FAT_ENV = "HIPFLEX_HAND_TO_FAT"

#: Largest hand-to-FAT offset accepted (s): more is not a timing correction.
MAX_HAND_TO_FAT_S: float = 1.0

_PAIR = re.compile(r"^\s*(\d{2,5})\s*(?:m\s*)?[=:]\s*([+-]?\d*\.?\d+)\s*$")


def _check_offset(event: object, seconds: object, where: str) -> tuple[int, float]:
    from .errors import DataError

    try:
        ev, sec = int(event), float(seconds)
    except (TypeError, ValueError):
        raise DataError(
            f"hand-to-FAT offset {event!r}: {seconds!r} is not an event (m) and seconds",
            file=where,
        ) from None
    if not (math.isfinite(sec) and 0 <= sec <= MAX_HAND_TO_FAT_S):
        raise DataError(
            f"hand-to-FAT offset for {ev} m must be between 0 and {MAX_HAND_TO_FAT_S:g} s, "
            f"not {seconds!r}",
            file=where,
        )
    return ev, sec


def hand_to_fat(overrides: Mapping[int, float] | None = None) -> dict[int, float]:
    """The hand-to-FAT offsets in effect (s per event).

    :data:`HAND_TO_FAT_S`, then the events named in ``$HIPFLEX_HAND_TO_FAT``
    (``200=0.2,400=0.1``), then those in ``overrides``: each layer changes only the
    events it names.

    Raises
    ------
    DataError
        A malformed environment value, or an offset outside 0 to
        :data:`MAX_HAND_TO_FAT_S` seconds.

    Examples
    --------
    >>> hand_to_fat({400: 0.2}) == {200: 0.24, 400: 0.2}  # doctest: +SKIP
    True
    """
    out = dict(HAND_TO_FAT_S)
    env = os.environ.get(HAND_TO_FAT_ENV, "").strip()
    if env:
        for part in env.split(","):
            m = _PAIR.match(part)
            if not m:
                from .errors import DataError

                raise DataError(
                    f"{HAND_TO_FAT_ENV}={env!r}: write event=seconds pairs, e.g. 200=0.24,400=0.14",
                    file=HAND_TO_FAT_ENV,
                )
            ev, sec = _check_offset(m[1], m[2], HAND_TO_FAT_ENV)
            out[ev] = sec
    for ev, sec in (overrides or {}).items():
        ev, sec = _check_offset(ev, sec, "hand_to_fat")
        out[ev] = sec
    return out


def today() -> _dt.date:
    """The date used to reject future-dated rows (a function so tests can pass their own)."""
    return _dt.date.today()


# ---------------------------------------------------------------- the coach's season

#: First month of an athletics season (analysis.season): 1 = the calendar year, as World
#: Athletics' lists count it; 7 or 9 for a southern-hemisphere summer season.
SEASON_START_MONTH: int = 1

#: WMA age-factor tables used by :func:`analysis.age_grade` (``"2023"`` or ``"2015"``).
WMA_EDITION: str = "2023"

#: Attention list (analysis.attention): a week-over-week change of hip-flexor reps beyond
#: this many percent (either way) is listed ...
ATTENTION_VOLUME_CHANGE_PCT: float = 50.0
#: ... when either week has at least this many hip-flexion reps (a change from 10 to 30
#: reps is noise, not a spike).
ATTENTION_MIN_WEEKLY_REPS: float = 100.0
#: An athlete with no log entry (any exercise) for this many days is listed.
ATTENTION_NO_LOG_DAYS: int = 10
#: A PB or SB within this many days of the data's last date is listed as new.
ATTENTION_RECENT_DAYS: int = 14
#: The fade (``differential_s``) of the athlete's last this-many races at an event ...
ATTENTION_FADE_LAST_RACES: int = 3
#: ... is listed when its median is worse (larger) than the season median of that event by
#: more than this many seconds (0.2 s: a tenth or two is race-to-race noise, wind and
#: timing — hand-to-FAT alone is 0.24 s at 200 m — and not worth a coach's look).
ATTENTION_FADE_MARGIN_S: float = 0.2


#: The squad page (``OUT/squad.html``) and the cohort pages show one row (a forest-plot row,
#: a table row, a dot) per athlete up to this many athletes. Past it such a page is
#: unreadable, so it summarises: a funnel plot of each athlete's slope against their
#: number of races with the farthest athletes named, every athlete's row in the squad
#: workbook (``OUT/exports/squad.xlsx``), and box plots instead of dots on the cohort
#: pages (:mod:`analysis.reports.squad_scale`).
SQUAD_SUMMARY_ATHLETES: int = 40


#: Longest session accepted (minutes); more is not one training session. The sRPE cleaner
#: (:mod:`analysis.srpe`) and the app readers' workout lengths
#: (:mod:`analysis.ingest.formats`) both hold to it.
MAX_SESSION_MIN: float = 600.0

# ------------------------------------------------------------------ reading limits
# A file is refused early, with one line naming the file and the limit, when it claims
# more than these (memory stays bounded by what a file really holds, not by what it
# claims). Real coaches' files are far below them.

#: Longest line of a CSV file, in bytes (a million commas on one line is not a table); the
#: same bound holds for one record of a CSV (a quoted field running over many lines) and
#: for one workbook cell.
MAX_LINE_BYTES: int = 1_000_000

#: Most fields (columns) in one CSV line or one workbook row.
MAX_FIELDS: int = 2_000

#: Most rows read from one CSV file or one workbook sheet.
MAX_ROWS: int = 5_000_000

#: Most non-empty cells read from one workbook sheet.
MAX_CELLS: int = 50_000_000

#: Most cells and rows (``<c>`` and ``<row>`` elements, all sheets together) read from one
#: workbook: openpyxl reads ~10 us a cell or row (measured), so more is refused after one
#: streamed pass over the XML (2.2 M rows: ~3 s) with a pointer to CSV, which is read in
#: seconds at any size. A season of a squad's log is ~300,000 cells.
MAX_XLSX_CELLS: int = 1_000_000

#: Most bytes of XML (decompressed) in one workbook: a small file that unpacks to more is
#: refused before it is parsed.
MAX_XLSX_XML_BYTES: int = 500_000_000

#: Rows looked at to find a table's layout (header row, title, units): the rest of a
#: plain table is read without a second look.
LAYOUT_SCAN_ROWS: int = 40
