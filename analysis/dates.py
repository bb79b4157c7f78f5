"""Date parsing for coaches' files.

Accepted: ISO (``2026-03-04``, with or without a time), ``dd/mm/yyyy`` or ``mm/dd/yyyy``
(also with ``-`` or ``.``; two-digit years), ``4 Mar 2026`` / ``March 4, 2026``, and Excel
serial numbers (``45720``). Month names in English, German, French, Spanish, Italian,
Dutch and Swedish (``25. März 2026``, ``1er août 2026``, ``25 de abril de 2026``), and a
weekday before the date (``Sat 25 Apr 2026``, ``Samstag, 25. April 2026``) is dropped. Day/month order is inferred **per file** from the unambiguous
values (a first number above 12 means day-first, a second number above 12 means
month-first); a file with both raises :class:`DataError` naming an example row of each; a
file with only ambiguous values uses the project setting (day-first by default).

Every distinct raw value is parsed once.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

import numpy as np
import pandas as pd

from . import config
from .errors import DataError

#: The one month table: month names and their abbreviations, accents removed, in English,
#: German, French, Spanish, Italian, Dutch and Swedish -> month number. Cells (here) and
#: titles, headers and sheet names (:func:`analysis.ingest.days.find_date`) read it.
MONTHS: dict[str, int] = {
    m: i
    for i, names in enumerate(
        [
            # English, then German, French, Spanish, Italian, Dutch, Swedish (no accents)
            (
                "jan",
                "january",
                "januar",
                "janvier",
                "janv",
                "enero",
                "ene",
                "gennaio",
                "gen",
                "januari",
            ),
            (
                "feb",
                "february",
                "februar",
                "fevrier",
                "fevr",
                "fev",
                "febrero",
                "febbraio",
                "februari",
            ),
            ("mar", "march", "marz", "maerz", "mrz", "mars", "marzo", "maart", "mrt"),
            ("apr", "april", "avril", "avr", "abril", "abr", "aprile"),
            ("may", "mai", "mayo", "maggio", "mag", "mei", "maj"),
            ("jun", "june", "juni", "juin", "junio", "giugno", "giu"),
            ("jul", "july", "juli", "juillet", "juil", "julio", "luglio", "lug"),
            ("aug", "august", "aout", "agosto", "ago", "augustus", "augusti"),
            (
                "sep",
                "sept",
                "september",
                "septembre",
                "septiembre",
                "setiembre",
                "settembre",
                "set",
            ),
            ("oct", "october", "oktober", "okt", "octobre", "octubre", "ottobre", "ott"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "dezember", "dez", "decembre", "diciembre", "dic", "dicembre"),
        ],
        start=1,
    )
    for m in names
}
_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_NUMERIC = re.compile(
    r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DAY_MON = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\.?[\s\-/.]+([a-z]+)\.?,?[\s\-/.]+(\d{2}|\d{4})$")
_MON_DAY = re.compile(r"^([a-z]+)\.?[\s\-/.]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/.]+(\d{2}|\d{4})$")
#: An Excel serial date, with or without a time of day as a fraction (``45720.5``).
_SERIAL = re.compile(r"^(\d{5})(?:\.\d*)?$")
_EXCEL_EPOCH = _dt.date(1899, 12, 30)

# Parsed forms: ("fixed", y, m, d) | ("ambiguous", a, b, y) | ("error", reason)


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 70 else 1900
    return y


#: A weekday before a date (``Sat 25 Apr 2026``, ``Samstag, 25. April 2026``): dropped.
_WEEKDAY = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"mo|di|mi|do|fr|sa|so|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mer|jeu|"
    r"ven|sam|dim|lunes|martes|miercoles|jueves|viernes|sabado|domingo|lunedi|martedi|"
    r"mercoledi|giovedi|venerdi|sabato|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|"
    r"zondag|mandag|tisdag|onsdag|torsdag|fredag|lordag|sondag)\.?,?\s+(?=\d|[a-z]{3})"
)


def _parse_one(text: str) -> tuple:
    s = " ".join(text.strip().casefold().split())
    if not s:
        return ("error", "missing date")
    if not s.isascii():  # "25. März 2026", "1er août 2026"
        s = unicodedata.normalize("NFKD", s)
        s = " ".join("".join(c for c in s if not unicodedata.combining(c)).split())
        if not s:  # accents alone ("¨"): nothing of a date is left
            return ("error", "unparseable date")
    if s[0].isalpha():
        s = _WEEKDAY.sub("", s)
    s = re.sub(r"(?<=\d)(?:er|e)\b|\bde\b|\bden\b", " ", s) if " " in s else s
    s = " ".join(s.split())
    if m := _ISO.match(s):
        return ("fixed", int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.match(s):
        a, b, y = int(m[1]), int(m[2]), _year(m[3])
        if a > 12 and b > 12:
            return ("error", "invalid date")
        return ("ambiguous", a, b, y)
    if m := _DAY_MON.match(s):
        mon = MONTHS.get(m[2])
        return ("fixed", _year(m[3]), mon, int(m[1])) if mon else ("error", "unparseable date")
    if m := _MON_DAY.match(s):
        mon = MONTHS.get(m[1])
        return ("fixed", _year(m[3]), mon, int(m[2])) if mon else ("error", "unparseable date")
    if m := _SERIAL.match(s):
        d = _EXCEL_EPOCH + _dt.timedelta(days=int(m[1]))
        return ("fixed", d.year, d.month, d.day)
    return ("error", "unparseable date")


def infer_dayfirst(
    values: pd.Series,
    rows: pd.Series | None = None,
    *,
    source: str | None = None,
    default: bool | None = None,
    column: str = "date",
) -> bool:
    """Day/month order of one file's date column (see module docstring)."""
    default = config.DAYFIRST_DEFAULT if default is None else default
    uniques = pd.unique(values.dropna())
    day_ex = month_ex = None
    for u in uniques:
        p = _parse_one(str(u))
        if p[0] != "ambiguous":
            continue
        if p[1] > 12 and day_ex is None:
            day_ex = u
        elif p[2] > 12 and month_ex is None:
            month_ex = u
    if day_ex is not None and month_ex is not None:

        def row_of(v: object) -> str:
            if rows is None:
                return ""
            return f" (row {int(rows[values == v].iloc[0])})"

        raise DataError(
            f"dates contradict each other: {day_ex!r}{row_of(day_ex)} is day-first but "
            f"{month_ex!r}{row_of(month_ex)} is month-first; use one order (or ISO yyyy-mm-dd) "
            "throughout the file",
            file=source,
            column=column,
        )
    if day_ex is not None:
        return True
    if month_ex is not None:
        return False
    return default


def parse_dates(
    values: pd.Series,
    *,
    sources: pd.Series | None = None,
    rows: pd.Series | None = None,
    dayfirst: bool | None = None,
    today: _dt.date | None = None,
    earliest: _dt.date | None = None,
    column: str = "date",
) -> tuple[pd.Series, pd.Series]:
    """Parse a column of raw date strings.

    Parameters
    ----------
    values
        Raw text (``NA`` for empty cells).
    sources
        The file of each value; day/month order is inferred per file. ``None``: one file.
    rows
        Spreadsheet row numbers, used to name example rows in errors.
    dayfirst
        Force the order for all files (skips inference). ``None``: infer, falling back to
        :data:`analysis.config.DAYFIRST_DEFAULT`.
    today
        Dates after this are rejected (default: today).
    earliest
        Dates before this are rejected (default :data:`analysis.config.EARLIEST_DATE`;
        the roster's birth dates use an earlier one).
    column
        The column named in a :class:`DataError`.

    Returns
    -------
    dates, reasons
        ``datetime64[ns]`` dates (``NaT`` where rejected) and a reason string where rejected
        (``missing date``, ``unparseable date``, ``invalid date``, ``date before 1950``,
        ``date in the future``; ``date before <earliest>`` for another ``earliest``),
        ``NA`` where accepted.

    Raises
    ------
    DataError
        A file's dates contradict each other's day/month order.
    """
    today = today or config.today()
    earliest = earliest or config.EARLIEST_DATE
    too_early_reason = (
        f"date before {earliest.year}"
        if (earliest.month, earliest.day) == (1, 1)
        else f"date before {earliest.isoformat()}"
    )
    if sources is None:
        sources = pd.Series("<data>", index=values.index, dtype="string")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = [_parse_one(str(u)) for u in uniques]
    n = len(uniques) + 1  # last slot: NA
    kind = np.array([p[0] for p in parsed] + ["error"], dtype=object)
    f1 = np.array([p[1] if p[0] != "error" else 0 for p in parsed] + [0], dtype=np.int64)
    f2 = np.array([p[2] if p[0] != "error" else 0 for p in parsed] + [0], dtype=np.int64)
    f3 = np.array([p[3] if p[0] != "error" else 0 for p in parsed] + [0], dtype=np.int64)
    err = np.array(
        [p[1] if p[0] == "error" else None for p in parsed] + ["missing date"], dtype=object
    )
    if len(kind) != n:  # pragma: no cover - one kind per distinct value, by construction
        raise DataError("dates could not be read: internal error in parse_dates", column=column)

    row_codes = np.where(codes < 0, n - 1, codes)
    row_kind = kind[row_codes]
    ambiguous = row_kind == "ambiguous"
    row_dayfirst = np.zeros(len(values), dtype=bool)
    if ambiguous.any():
        src = pd.Series(sources.to_numpy(), index=values.index)
        for name, idx in src[ambiguous].groupby(src[ambiguous], sort=False).groups.items():
            if dayfirst is not None:
                order = dayfirst
            else:
                sub = values.loc[idx]
                order = infer_dayfirst(
                    sub,
                    rows.loc[idx] if rows is not None else None,
                    source=str(name),
                    column=column,
                )
            row_dayfirst[values.index.get_indexer(idx)] = order
    a, b, c = f1[row_codes], f2[row_codes], f3[row_codes]
    year = np.where(ambiguous, c, a)
    month = np.where(ambiguous, np.where(row_dayfirst, b, a), b)
    day = np.where(ambiguous, np.where(row_dayfirst, a, b), c)
    ok = row_kind != "error"
    # Years far outside the datetime64[ns] range are range errors, not parse errors.
    too_early = ok & (year < earliest.year)
    too_late = ok & (year > today.year + 1)
    ok = ok & ~too_early & ~too_late
    dates = pd.to_datetime(
        pd.DataFrame(
            {
                "year": np.where(ok, year, 2000),
                "month": np.where(ok, month, 1),
                "day": np.where(ok, day, 1),
            }
        ),
        errors="coerce",
    ).astype("datetime64[ns]")
    dates = dates.where(ok)
    reasons = pd.Series(err[row_codes], index=values.index, dtype="string").where(~ok)
    reasons = reasons.mask(ok & dates.isna().to_numpy(), "invalid date")
    reasons = reasons.mask(too_early, too_early_reason).mask(too_late, "date in the future")
    dates = pd.Series(dates.to_numpy(), index=values.index)
    early = dates < pd.Timestamp(earliest)
    late = dates > pd.Timestamp(today)
    reasons = reasons.mask(early, too_early_reason).mask(late, "date in the future")
    dates = dates.mask(early | late)
    return dates.astype("datetime64[ns]"), reasons
