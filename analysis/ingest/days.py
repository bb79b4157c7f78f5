"""Days written in titles, headers and sheet names (``Week of 2 mrt 2026``, ``Mon 05/01``).

The months are :data:`analysis.dates.MONTHS`, the one month table the cells' dates are
read with too, so a title and a cell read ``3 abr 2026`` alike. A date written without its
year (``05 Jan``) gets one from the folder's other dates (:func:`year_chooser`).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..dates import MONTHS
from .headers import header_key

_WEEKDAYS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "mon monday montag mo lun lundi lunes lunedi maandag man mandag",
        "tue tues tuesday dienstag di mardi martes martedi dinsdag tis tisdag",
        "wed weds wednesday mittwoch mi mer mercredi miercoles mercoledi woensdag wo ons onsdag",
        "thu thur thurs thursday donnerstag do jeu jeudi jueves giovedi gio donderdag tor tors torsdag",
        "fri friday freitag fr ven vendredi viernes venerdi vrijdag vr fre fredag",
        "sat saturday samstag sa sam samedi sabado sabato sab zaterdag za lor lordag",
        "sun sunday sonntag so dim dimanche domingo dom domenica zondag zo son sondag",
    ]
):
    for _n in _names.split():
        _WEEKDAYS.setdefault(_n, _i)


_DATE_PATTERNS = [
    # ISO 2026-01-05
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    # 05/01/2026, 05.01.2026, 5-1-26
    (re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)"), "dmy"),
    # 5 Jan 2026, 5. Januar 2026, 5th January
    (
        re.compile(
            r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er|\.)?\s*(?:de\s+)?([a-z]{3,10})\.?,?"
            r"(?:\s+(?:de\s+)?(\d{4}))?(?![a-z])"
        ),
        "d_mon_y",
    ),
    # Jan 5 2026, January 5th
    (
        re.compile(
            r"(?<![a-z])([a-z]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?(?!\d)"
        ),
        "mon_d_y",
    ),
    # 05/01, 05.01. (no year)
    (re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})\.?(?![\d./])"), "dm"),
]


@dataclass(frozen=True)
class Day:
    """A calendar day whose year may be unknown (``05 Jan``)."""

    year: int | None
    month: int
    day: int

    def on(self, year: int) -> _dt.date | None:
        """The day in ``year``, or None (29 February of a common year)."""
        try:
            return _dt.date(year, self.month, self.day)
        except ValueError:
            return None

    def text(self) -> str:
        """ISO text, ``--MM-DD`` when the year is unknown."""
        return (
            f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
            if self.year
            else (f"--{self.month:02d}-{self.day:02d}")
        )


def find_date(text: object, *, dayfirst: bool = True, date_format: str | None = None) -> Day | None:
    """The first calendar date written in ``text`` (a title, a header, a sheet name)."""
    if text is None:
        return None
    s = str(text).strip()
    if date_format:
        try:
            d = _dt.datetime.strptime(s, date_format).date()
            return Day(d.year, d.month, d.day)
        except ValueError:
            pass
    low = header_key_keep_digits(s)
    for pattern, form in _DATE_PATTERNS:
        for m in pattern.finditer(low):
            g = m.groups()
            if form == "ymd":
                y, mo, d = int(g[0]), int(g[1]), int(g[2])
            elif form == "dmy":
                a, b, y = int(g[0]), int(g[1]), int(g[2])
                y += 2000 if y < 100 else 0
                # the order given, unless a value says otherwise ("6/13/2026": month first)
                d, mo = (a, b) if (dayfirst and b <= 12) or a > 12 else (b, a)
            elif form == "d_mon_y":
                mo = MONTHS.get(g[1]) or MONTHS.get(g[1][:3])
                if mo is None:
                    continue
                d, y = int(g[0]), int(g[2]) if g[2] else None
            elif form == "mon_d_y":
                mo = MONTHS.get(g[0]) or MONTHS.get(g[0][:3])
                if mo is None:
                    continue
                d, y = int(g[1]), int(g[2]) if g[2] else None
            else:
                a, b = int(g[0]), int(g[1])
                d, mo = (a, b) if (dayfirst and b <= 12) or a > 12 else (b, a)
                y = None
            if not (1 <= mo <= 12 and 1 <= d <= 31) or (y is not None and not 1950 <= y <= 2100):
                continue
            day = Day(y, mo, d)
            if y is not None and day.on(y) is None:
                continue
            return day
    return None


def header_key_keep_digits(text: str) -> str:
    """Lower-case text without accents, keeping the digits and date separators."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    return " ".join(t.split())


def weekday_of(text: object) -> int | None:
    """0 (Monday) .. 6 (Sunday) when the header names a weekday, in any of the languages."""
    if text is None:
        return None
    key = header_key(text)
    words = key.split()
    if not words:
        return None
    return _WEEKDAYS.get(words[0])


@lru_cache(maxsize=65536)
def day_header(text: object, dayfirst: bool = True) -> tuple[int | None, Day | None] | None:
    """A grid's day column: ``(weekday, date)`` (either may be None), or None if not one."""
    if text is None:
        return None
    wd = weekday_of(text)
    s = str(text)
    if wd is not None:
        rest = " ".join(header_key_keep_digits(s).split()[1:])
        return wd, find_date(rest, dayfirst=dayfirst) if rest else None
    if re.search(r"[a-z]{4,}", header_key_keep_digits(s)) and not any(
        w in MONTHS for w in header_key(s).split()
    ):
        return None
    day = find_date(s, dayfirst=dayfirst)
    if day is None or len(s) > 24:
        return None
    return None, day


def default_year(day: Day, monday: bool) -> int:
    """The year of a date written without one, when the folder says nothing: this year."""
    return _dt.date.today().year


def as_date(day: Day, year_of: Callable[[Day, bool], int], monday: bool = False) -> _dt.date | None:
    """The calendar day of ``day``, its year from ``year_of`` when it has none (or None)."""
    if day.year is not None:
        return day.on(day.year)
    return day.on(year_of(day, monday))


def day_text(day: Day, year_of: Callable[[Day, bool], int]) -> str | None:
    """:func:`as_date` as ISO text (``2026-03-02``), or None."""
    d = as_date(day, year_of)
    return d.isoformat() if d else None


def year_chooser(reference_years: Counter) -> Callable[[Day, bool], int]:
    """How a date written without its year (``05 Jan``) gets one.

    The year is the folder's most common year among its other dates; a week start is
    moved to the year before or after when only that makes it a Monday (a week
    commencing is one).
    """
    ref = reference_years.most_common(1)[0][0] if reference_years else _dt.date.today().year

    def year_of(day: Day, monday: bool) -> int:
        if monday:
            for y in (ref, ref - 1, ref + 1):
                d = day.on(y)
                if d is not None and d.weekday() == 0:
                    return y
        return ref

    return year_of


def years_in(texts: Iterable[object]) -> Counter:
    """Four-digit years (1950-2100) written in some texts."""
    out: Counter = Counter()
    for t in texts:
        for m in re.finditer(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)", str(t)):
            out[int(m.group(1))] += 1
    return out


__all__ = [
    "Day",
    "as_date",
    "day_header",
    "day_text",
    "default_year",
    "find_date",
    "header_key_keep_digits",
    "weekday_of",
    "year_chooser",
    "years_in",
]
