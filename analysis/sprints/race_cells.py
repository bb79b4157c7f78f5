"""The other cells of a result row: event, wind, timing and reaction time.

Each parser takes one distinct raw value and returns ``(value, reason)``: the value, or
a reject reason. The pinned accepted raw forms are listed in :mod:`analysis.sprints`
(docs/architecture.md).
"""

from __future__ import annotations

import math
import re

from .. import config
from .limits import MAX_WIND_MS
from .marks import NEGATIVE

__all__ = ["parse_event", "parse_reaction", "parse_timing", "parse_wind"]

_EVENT = re.compile(r"^(\d{2,5})(?:\.0+)?\s*(?:m|meters?|metres?)?$", re.I)
_WIND = re.compile(r"^([+-]?\d{1,2}(?:[.,]\d+)?)\s*(?:m/?s)?$", re.I)
_NO_WIND = {"nwi", "n/a", "na", "-", "--", "?"}
_HAND = {"hand", "h", "ht", "manual", "hand timed", "hand-timed", "handheld", "stopwatch"}
_FAT = {"fat", "auto", "automatic", "electronic", "e", "photo", "photo finish", "laser", "gates"}
#: Events other than a flat 200/400 m that a heading-style event cell may name.
_NOT_FLAT = re.compile(r"hurdle|\bh\b|\dmh\b|\bih\b|relay|steeple|\bsc\b|walk|\bx\b", re.I)


def parse_event(text: str) -> tuple[int | None, str | None]:
    """Parse an event cell: ``200``, ``400 m``, or as a heading prints it (``Men 400m Final``).

    Parameters
    ----------
    text : str
        The cell's text.

    Returns
    -------
    event, reason
        The distance in metres (one of :data:`analysis.config.EVENTS_M`) and None, or
        None and ``negative event`` / ``unsupported event`` (hurdles, relays, walks, other
        distances).

    Examples
    --------
    >>> parse_event("Women's 200m Heat 2"), parse_event("400mH"), parse_event("4x400m")
    ((200, None), (None, 'unsupported event'), (None, 'unsupported event'))
    """
    if NEGATIVE.match(text.strip()):
        return None, "negative event"
    t = " ".join(text.split())
    m = _EVENT.match(t)
    if not m:
        found = set(re.findall(r"(?<![\dx×.,])(\d{3})\s*(?:m|meters?|metres?)(?![a-z])", t, re.I))
        if len(found) != 1 or _NOT_FLAT.search(re.sub(r"(\d)\s*x\s*(\d)", r"\1 x \2", t)):
            return None, "unsupported event"
        ev = int(found.pop())
        return (ev, None) if ev in config.EVENTS_M else (None, "unsupported event")
    ev = int(m.group(1))
    return (ev, None) if ev in config.EVENTS_M else (None, "unsupported event")


def parse_wind(text: str) -> tuple[float, str | None]:
    """Parse a wind cell: ``+1.2``, ``-0.4``, ``0,5 m/s``; ``NWI`` (no wind information).

    Parameters
    ----------
    text : str
        The cell's text.

    Returns
    -------
    wind, reason
        The reading in m/s (NaN for ``NWI``, ``n/a``, ``-``) and None, or NaN and
        ``unparseable wind`` / ``implausible wind`` (beyond :data:`MAX_WIND_MS`).

    Examples
    --------
    >>> parse_wind("+1.2"), parse_wind("15")
    ((1.2, None), (nan, 'implausible wind'))
    """
    t = " ".join(text.split())
    if t.casefold() in _NO_WIND:
        return math.nan, None
    m = _WIND.match(t)
    if not m:
        return math.nan, "unparseable wind"
    w = float(m.group(1).replace(",", "."))
    return (w, None) if abs(w) <= MAX_WIND_MS else (math.nan, "implausible wind")


def parse_timing(text: str) -> tuple[str | None, str | None]:
    """Parse a timing cell: ``hand`` (``h``, ``manual``, ``stopwatch``…) or ``FAT``.

    Parameters
    ----------
    text : str
        The cell's text.

    Returns
    -------
    timing, reason
        ``"hand"`` or ``"FAT"`` and None, or None and ``unparseable timing``.

    Examples
    --------
    >>> parse_timing("Photo finish"), parse_timing("hand_timed")
    (('FAT', None), ('hand', None))
    """
    k = " ".join(text.casefold().replace("_", " ").split())
    if k in _HAND:
        return "hand", None
    if k in _FAT:
        return "FAT", None
    return None, "unparseable timing"


def parse_reaction(text: str) -> tuple[float, str | None]:
    """Parse a reaction-time cell: ``0.145``, ``0,16``, ``0.2s``.

    Parameters
    ----------
    text : str
        The cell's text.

    Returns
    -------
    reaction, reason
        Seconds (between 0 and 2, exclusive) and None, or NaN and ``unparseable
        reaction`` / ``negative reaction`` / ``implausible reaction``.

    Examples
    --------
    >>> parse_reaction("0,16"), parse_reaction("-0.1")
    ((0.16, None), (nan, 'negative reaction'))
    """
    try:
        v = float(text.replace(",", ".").replace("−", "-").rstrip("sS").strip())
    except ValueError:
        return math.nan, "unparseable reaction"
    if v < 0:
        return math.nan, "negative reaction"
    return (v, None) if 0 < v < 2 else (math.nan, "implausible reaction")
