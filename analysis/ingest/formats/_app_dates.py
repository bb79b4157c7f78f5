"""The days and times the training apps write, in every form they write them.

Not a product module (its name starts with ``_``: the registry does not import it as
one). ISO with seconds, 12-hour clocks with the narrow no-break space some phones put
before ``pm``, ``2 Mar 2026, 19:59``, unix seconds: each becomes the day
(``2026-03-02``); a numeric day/month date keeps its order for the cleaner to infer per
file. A workout's start and end give its length in minutes.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

import pandas as pd

from ... import config
from ._units import per_distinct

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ],
        start=1,
    )
    for m in names.split()
}
_CLOCK = re.compile(
    r"[\sT,]*(?:at\s+)?\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?\s?m\.?)?"
    r"\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})?\s*$",
    re.I,
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_D_MON_Y = re.compile(r"^(\d{1,2})\.?\s+([a-z]+)\.?,?\s+(\d{4})$")
_MON_D_Y = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
#: unix seconds from 2001-09-09 to 2286: the apps' timestamps
_UNIX = re.compile(r"^\d{10}(?:\.\d+)?$")


def app_date(text: str) -> str:
    """The day of an app's timestamp as ISO text, or the date part for the cleaner.

    >>> app_date("2 Mar 2026, 19:59"), app_date("2026-03-02 07:59:12\u202fpm")
    ('2026-03-02', '2026-03-02')
    """
    t = unicodedata.normalize("NFKC", text).replace("\u202f", " ").strip()
    if _UNIX.match(t):
        return _dt.datetime.fromtimestamp(float(t), _dt.UTC).date().isoformat()
    t = t.casefold()
    t = re.sub(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", t)
    t = _CLOCK.sub("", t).strip().rstrip(",")
    for pat, order in ((_ISO, "ymd"), (_D_MON_Y, "dmy"), (_MON_D_Y, "mdy")):
        m = pat.match(t)
        if not m:
            continue
        a, b, c = m.groups()
        if order == "ymd":
            y, mo, d = int(a), int(b), int(c)
        elif order == "dmy":
            y, mo, d = int(c), _MONTHS.get(b, 0), int(a)
        else:
            y, mo, d = int(c), _MONTHS.get(a, 0), int(b)
        try:
            return _dt.date(y, mo, d).isoformat()
        except ValueError:
            return text  # the cleaner names it
    return t or text


_TIME = re.compile(
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[.,]\d+)?\s*([ap])?\.?\s?(?:m\.?)?\s*"
    r"(?:z|utc|gmt|[+-]\d{2}:?\d{2})?\s*$",
    re.I,
)


def app_datetime(text: str, dayfirst: bool = True) -> _dt.datetime | None:
    """An app's timestamp (every form :func:`app_date` reads) as a naive datetime, or None.

    A numeric day/month date is read in ``dayfirst`` order (only differences of two
    timestamps of one workout are taken from it).
    """
    t = unicodedata.normalize("NFKC", text).replace("\u202f", " ").strip()
    if _UNIX.match(t):
        return _dt.datetime.fromtimestamp(float(t), _dt.UTC).replace(tzinfo=None)
    day = app_date(t)
    m = _ISO.match(day)
    if not m:
        n = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", day)
        if not n:
            return None
        a, b, y = int(n.group(1)), int(n.group(2)), int(n.group(3))
        d, mo = (a, b) if dayfirst else (b, a)
    else:
        y, mo, d = (int(g) for g in m.groups())
    clock = _TIME.search(t.casefold().split("t", 1)[-1] if "t" in t[8:11].casefold() else t)
    h = mi = sec = 0
    if clock:
        h, mi, sec = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        ap = (clock.group(4) or "").casefold()
        if ap == "p" and h < 12:
            h += 12
        elif ap == "a" and h == 12:
            h = 0
    try:
        return _dt.datetime(y, mo, d, h, mi, sec)
    except ValueError:
        return None


def span_minutes(start: pd.Series, end: pd.Series, dayfirst: bool = True) -> pd.Series:
    """Minutes from ``start`` to ``end`` per row (each distinct pair once); NA if unreadable,
    negative or longer than a session can be (:data:`analysis.config.MAX_SESSION_MIN`)."""
    pair = start.fillna("").astype("string") + "\x1f" + end.fillna("").astype("string")

    def one(p: str) -> float | None:
        a, b = p.split("\x1f")
        ta, tb = app_datetime(a, dayfirst), app_datetime(b, dayfirst)
        if ta is None or tb is None:
            return None
        v = (tb - ta).total_seconds() / 60
        return v if 0 < v <= config.MAX_SESSION_MIN else None

    return per_distinct(pair, one, "Float64")


def app_dates(values: pd.Series) -> pd.Series:
    """:func:`app_date` of each distinct value."""
    return per_distinct(values, app_date, "string")


__all__ = ["app_date", "app_dates", "app_datetime", "span_minutes"]
